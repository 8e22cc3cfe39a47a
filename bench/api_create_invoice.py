"""Measure POST /crm/v3/objects/invoices (a draft with a contact association) with 16 concurrent
clients, against the embedded default (SQLite, `manage.py runserver` as `bin/run` starts it)
and against PostgreSQL 15 with 2 gunicorn web processes.

    uv run python bench/api_create_invoice.py                    # both, 2,000 requests each
    uv run python bench/api_create_invoice.py --only sqlite -n 500

Prints requests per second and p50/p99 latency. The rate limit is off for the run.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout.strip()


@contextmanager
def server(env: dict[str, str], command: list[str], port: int) -> Iterator[str]:
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped at start: {' '.join(command)}")
            try:
                urllib.request.urlopen(f"{url}/api/openapi.json", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def request(url: str, token: str, body: dict[str, object]) -> float:
    data = json.dumps(body).encode()
    started = time.perf_counter()
    call = urllib.request.Request(
        f"{url}/crm/v3/objects/invoices", data=data, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(call, timeout=60) as response:
        if response.status != 201:
            raise RuntimeError(f"status {response.status}")
        response.read()
    return time.perf_counter() - started


def load(url: str, token: str, contact_id: str, total: int, clients: int) -> list[float]:
    body: dict[str, object] = {
        "properties": {"hs_currency": "USD"},
        "associations": [{"to": {"id": contact_id}, "types": [{"associationTypeId": 177}]}],
    }
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [total]

    def client() -> None:
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            took = request(url, token, body)
            with lock:
                latencies.append(took)

    for _ in range(20):  # warm-up
        request(url, token, body)
    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    print(
        f"  {total} requests in {elapsed:.1f} s: {total / elapsed:.0f} req/s, "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.0f} ms"
    )
    return latencies


def prepare(env: dict[str, str]) -> tuple[str, str]:
    manage(env, "migrate", "-v0")
    token = manage(env, "create_api_token", "bench", "--scopes", "all")
    contact = manage(
        env, "shell", "-c",
        "from faktura.core.actors import Actor; from faktura.crm.services import create_contact;"
        "print(create_contact(actor=Actor.system('bench'), email='bench@example.com').pk)",
    )  # fmt: skip
    return token.splitlines()[-1], contact.splitlines()[-1]


def run_sqlite(total: int, clients: int) -> None:
    print("embedded default: SQLite, manage.py runserver (threaded)")
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "FAKTURA_DATA_DIR": data, "FAKTURA_API_RATE_LIMIT": "off"}
        env.pop("DATABASE_URL", None)
        token, contact = prepare(env)
        port = free_port()
        command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
        with server(env, command, port) as url:
            load(url, token, contact, total, clients)


def run_postgres(total: int, clients: int) -> None:
    from tests.postgres import running_postgres

    print("PostgreSQL 15, gunicorn with 2 web processes")
    with running_postgres() as database_url, tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ, "FAKTURA_DATA_DIR": data, "DATABASE_URL": database_url,
            "FAKTURA_API_RATE_LIMIT": "off",
        }  # fmt: skip
        token, contact = prepare(env)
        port = free_port()
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2",
            "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "--log-level", "warning",
        ]  # fmt: skip
        with server(env, command, port) as url:
            load(url, token, contact, total, clients)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=2000, help="requests per run")
    parser.add_argument("-c", type=int, default=16, help="concurrent clients")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.only != "postgres":
        run_sqlite(args.n, args.c)
    if args.only != "sqlite":
        run_postgres(args.n, args.c)


if __name__ == "__main__":
    main()
