"""manage.py commands in real processes against the test's own database: a task worker, the
workflow clock, `serve`.

On PostgreSQL a subprocess reaches the test database by its URL. On SQLite pytest-django keeps
the test database in memory, out of other processes' reach: `shared_database` copies it into a
file in the test's folder, where the subprocesses' settings look (FAKTURA_DATA_DIR), and points
this process's connection at that file until the test ends. Tests using it need
`django_db(transaction=True)`: a subprocess sees only committed rows."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

MANAGE = Path(django_settings.BASE_DIR) / "manage.py"
# The test receivers' address, which webhooks refuse unless allowed.
LOCAL_NETWORKS = "127.0.0.0/8"


def database_url(settings_dict: dict[str, Any]) -> str:
    user = quote(str(settings_dict["USER"] or ""), safe="")
    password = quote(str(settings_dict["PASSWORD"] or ""), safe="")
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{settings_dict['NAME']}"


@contextmanager
def shared_database(folder: Path) -> Iterator[dict[str, str]]:
    """The environment with which a subprocess works on this test's database."""
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env |= {
        "FAKTURA_DATA_DIR": str(folder),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "FAKTURA_WEBHOOK_ALLOWED_NETWORKS": LOCAL_NETWORKS,
        # Secrets this process stored (QuickBooks tokens) must open in the subprocesses too.
        "FAKTURA_ENCRYPTION_KEYS": ",".join(django_settings.FAKTURA_ENCRYPTION_KEYS),
    }
    if connection.vendor == "postgresql":
        yield env | {"DATABASE_URL": database_url(connection.settings_dict)}
        return
    memory = connections[DEFAULT_DB_ALIAS]
    memory.ensure_connection()
    path = folder / "faktura.sqlite3"  # the name config/settings.py gives it in FAKTURA_DATA_DIR
    with closing(sqlite3.connect(path)) as copy:
        memory.connection.backup(copy)
    on_file = type(memory)({**memory.settings_dict, "NAME": str(path)}, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = on_file
    try:
        yield env
    finally:
        on_file.close()
        connections[DEFAULT_DB_ALIAS] = memory


class Processes:
    """manage.py commands in their own processes; each one's output goes to a log file, which a
    failing test shows."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.started: list[tuple[str, subprocess.Popen[bytes], Path]] = []

    def start(self, *command: str) -> subprocess.Popen[bytes]:
        """`manage.py COMMAND …`."""
        return self.start_python(command[0], str(MANAGE), *command)

    def start_python(self, name: str, *arguments: str) -> subprocess.Popen[bytes]:
        """`python ARGUMENTS…`, its output in a log file named after `name`."""
        name = f"{len(self.started) + 1}-{name}"
        log = self.folder / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, *arguments],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=MANAGE.parent,
            )
        self.started.append((name, process, log))
        return process

    def worker(self, *options: str) -> subprocess.Popen[bytes]:
        """A `faktura_worker` as `manage.py serve` starts it, looking for tasks every 0.1 s."""
        return self.start(
            "faktura_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", *options
        )

    def run(self, *command: str, timeout: float = 60) -> None:
        """Run a command to its end; fail the test with the logs if it does not exit with 0."""
        process = self.start(*command)
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"`{' '.join(command)}` ran longer than {timeout} s.\n{self.logs()}")
        if code != 0:
            pytest.fail(f"`{' '.join(command)}` exited with {code}.\n{self.logs()}")

    def work(self) -> None:
        """One worker runs every task that is due, then exits (`--batch`)."""
        self.run("faktura_worker", "--no-reload", "--no-startup-delay", "--batch")

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def wait_until(self, done: Callable[[], bool], what: str, timeout: float = 30) -> None:
        """Poll until `done()`; fail with `what` and the logs after `timeout` seconds or as soon
        as a process exits with an error."""
        deadline = time.monotonic() + timeout
        while not done():
            failed = [n for n, p, _ in self.started if p.poll() not in (None, 0, -signal.SIGKILL)]
            if failed or time.monotonic() > deadline:
                why = f"{', '.join(failed)} stopped" if failed else f"{timeout} s passed"
                pytest.fail(f"Waited for {what}, but {why}.\n{self.logs()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM (db_worker finishes its task first), then SIGKILL after 10 s."""
        running = [p for _, p, _ in self.started if p.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill(process)

    def logs(self) -> str:
        return "\n".join(
            f"--- {name} (exit {process.poll()}) ---\n{log.read_text(errors='replace')[-3000:]}"
            for name, process, log in self.started
        )


@contextmanager
def holding_writes(table: str) -> Iterator[None]:
    """Until the block ends, a process that writes rows of `table` waits: the table's lock on
    PostgreSQL, SQLite's one write lock (so any write waits there)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN EXCLUSIVE MODE")
        else:
            # A write statement takes the write lock even when it matches no row.
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)} WHERE 1 = 0")
        yield
