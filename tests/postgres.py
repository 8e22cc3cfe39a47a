"""A throwaway PostgreSQL 15 server for the test suite.

`running_postgres()` starts a fresh cluster in a temp dir on 127.0.0.1, creates the
`faktura` role (with CREATEDB, so pytest-django can create `test_faktura*`) and database,
yields its DATABASE_URL and removes everything on exit.

`python -m tests.postgres` starts one and waits until Ctrl-C, for working by hand.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
INSTALL_HINT = "PostgreSQL 15 is not installed: run `apt-get install -y postgresql-15`"
INITDB_ARGS = ["-A", "trust", "-U", "postgres", "--encoding=UTF8", "--locale=C", "--no-sync"]
# psql arguments; two -c: CREATE DATABASE cannot share a (multi-statement) transaction.
PSQL_SETUP_ARGS = [
    *("-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-d", "postgres"),
    *("-c", "CREATE ROLE faktura LOGIN PASSWORD 'faktura' CREATEDB"),
    *("-c", "CREATE DATABASE faktura OWNER faktura"),
]
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class PostgresError(RuntimeError):
    """The test PostgreSQL server could not be set up; the message says what to do."""


def _is_root() -> bool:
    return os.geteuid() == 0


def _env() -> dict[str, str]:
    # PG* variables from the caller (PGHOST, PGPORT, PGDATA, ...) must not redirect our tools.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _run(cmd: list[str], what: str, cwd: Path, log: Path | None = None) -> None:
    """Run a PostgreSQL tool (as `postgres` when we are root); raise PostgresError on failure."""
    if _is_root():
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    proc = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stdout + proc.stderr).strip()
        if log is not None and log.exists():
            detail += "\n--- server log ---\n" + log.read_text(errors="replace")[-4000:]
        raise PostgresError(f"{what} failed (exit {proc.returncode}):\n{detail}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _psql() -> str:
    for candidate in (PG_BIN / "psql", Path("/usr/bin/psql")):
        if candidate.exists():
            return str(candidate)
    raise PostgresError(INSTALL_HINT)


def _check_installed() -> None:
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        raise PostgresError(INSTALL_HINT)
    if _is_root():
        if shutil.which("runuser") is None:
            raise PostgresError("running as root needs `runuser` (package util-linux)")
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresError(
                "running as root needs the `postgres` system user, which the "
                "postgresql-15 package creates: run `apt-get install -y postgresql-15`"
            ) from exc


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start PostgreSQL 15 on 127.0.0.1:<free port>, yield its DATABASE_URL, then tear down."""
    _check_installed()
    psql = _psql()
    tmp = Path(tempfile.mkdtemp(prefix="faktura-pg-"))
    data, log = tmp / "data", tmp / "server.log"
    pg_ctl = str(PG_BIN / "pg_ctl")
    try:
        if _is_root():
            shutil.chown(tmp, user="postgres", group="postgres")
        _run([str(PG_BIN / "initdb"), "-D", str(data), *INITDB_ARGS], "initdb", cwd=tmp)
        start = [pg_ctl, "start", "-w", "-t", "60", "-D", str(data), "-l", str(log)]
        for attempt in range(3):  # another process may grab the free port before we do
            port = _free_port()
            options = [f"-h 127.0.0.1 -p {port} -k {tmp}"]
            options += [f"-c {name}={value}" for name, value in SETTINGS.items()]
            try:
                _run(
                    [*start, "-o", " ".join(options)],
                    f"starting PostgreSQL on 127.0.0.1:{port} (pg_ctl start)",
                    cwd=tmp,
                    log=log,
                )
                break
            except PostgresError:
                if attempt == 2:
                    raise
        _run(
            [psql, "-h", "127.0.0.1", "-p", str(port), *PSQL_SETUP_ARGS],
            "creating role and database `faktura` (psql)",
            cwd=tmp,
            log=log,
        )
        yield f"postgres://faktura:faktura@127.0.0.1:{port}/faktura"
    finally:
        try:
            if (data / "postmaster.pid").exists():  # also after a failed or timed-out start
                _stop(pg_ctl, data, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _stop(pg_ctl: str, data: Path, tmp: Path) -> None:
    try:
        _run([pg_ctl, "stop", "-w", "-m", "fast", "-D", str(data)], "pg_ctl stop -m fast", tmp)
    except PostgresError:
        _run([pg_ctl, "stop", "-w", "-m", "immediate", "-D", str(data)], "pg_ctl stop", tmp)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _main() -> int:
    # Ctrl-C, `kill` and a closed terminal all stop the server and remove the temp dir
    # (SIGINT explicitly too: it arrives ignored when started as a background job).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    try:
        with running_postgres() as url:
            print(f"PostgreSQL 15 is running. In another shell:\n\n  export DATABASE_URL={url}\n")
            print("Press Ctrl-C to stop it (its data is thrown away).", flush=True)
            while True:
                time.sleep(3600)
    except PostgresError as exc:
        print(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        print("\nstopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
