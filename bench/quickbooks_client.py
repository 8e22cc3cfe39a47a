"""Measure what Faktura's QuickBooks client adds to a call (the token check, the company's
budget and slot in the database) against a local qbo_sandbox, on a fresh SQLite database:

    uv run python bench/quickbooks_client.py              # 300 calls, then 8 processes x 50
    uv run python bench/quickbooks_client.py -n 1000 --processes 16 --calls 100

Prints company_info calls per second and p50/p99 latency: bare HTTP with the same token, the
client in one process, and the client in forked processes (faktura/quickbooks/tests/probe.py)
calling one company at once, with the peak of calls at once the sandbox saw. The per-minute
limit is raised for the run, Faktura's and the sandbox's (`--per-minute 500` shows Intuit's:
25 at once, then 7.9 a second).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.qbo import Sandbox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def report(what: str, latencies: list[float], elapsed: float) -> None:
    ordered = sorted(latencies)
    p99 = ordered[max(0, round(0.99 * len(ordered)) - 1)]
    print(
        f"  {what}: {len(ordered) / elapsed:.0f} calls/s, p50 "
        f"{statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
    )


def timed(call: Callable[[], object], count: int) -> tuple[list[float], float]:
    latencies = []
    begin = time.perf_counter()
    for _ in range(count):
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)
    return latencies, time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="calls in one process")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--calls", type=int, default=50, help="calls per process")
    parser.add_argument(
        "--per-minute", type=int, default=100_000,
        help="QUICKBOOKS_REQUESTS_PER_MINUTE (Intuit's 500 would measure the budget's wait)",
    )  # fmt: skip
    arguments = parser.parse_args()

    from tests.qbo import start_sandbox, stop_sandbox

    sandbox = start_sandbox()
    with tempfile.TemporaryDirectory(prefix="faktura-bench-") as data_dir:
        os.environ.pop("DATABASE_URL", None)
        os.environ |= {
            "FAKTURA_DATA_DIR": data_dir,
            "QUICKBOOKS_REQUESTS_PER_MINUTE": str(arguments.per_minute),
            **sandbox.environment(),
        }
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        try:
            run(arguments, sandbox)
        finally:
            stop_sandbox(sandbox)


def run(arguments: argparse.Namespace, sandbox: "Sandbox") -> None:
    import django

    django.setup()
    import requests
    from django.core.management import call_command

    from faktura.accounts.models import Role, User
    from faktura.core.actors import Actor
    from faktura.quickbooks.client import QuickBooksClient
    from faktura.quickbooks.tests.conftest import connect
    from faktura.quickbooks.tokens import access_token

    call_command("migrate", verbosity=0)
    sandbox.control("limits", {"per_minute": arguments.per_minute})
    user = User.objects.create_user("bench", "bench@faktura.test", "bench", role=Role.SUPER_ADMIN)
    connection = connect(sandbox, Actor.for_user(user), company_name="Bench Co")
    client = QuickBooksClient(connection)
    url = f"{client.base}/companyinfo/{connection.realm_id}?minorversion=75"
    headers = {
        "Authorization": f"Bearer {access_token(connection.pk)}",
        "Accept": "application/json",
    }
    session = requests.Session()

    print(f"company_info against qbo_sandbox, SQLite ({arguments.n} calls in one process):")
    report("bare HTTP", *timed(lambda: session.get(url, headers=headers, timeout=10), arguments.n))
    report("QuickBooksClient", *timed(client.company_info, arguments.n))

    from django.db import connections

    connections.close_all()  # the probe's processes write to the same file
    total = arguments.processes * arguments.calls
    print(f"{arguments.processes} processes x {arguments.calls} calls, one company:")
    probe = subprocess.run(
        [sys.executable, "-m", "faktura.quickbooks.tests.probe",
         f"{connection.pk}:{arguments.processes}:{arguments.calls}"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    calls = [json.loads(line) for line in probe.stdout.splitlines() if '"ok"' in line]
    failed = [c for c in calls if not c["ok"]]
    elapsed = max(c["ended"] for c in calls) - min(c["started"] for c in calls)
    report("QuickBooksClient", [c["ended"] - c["started"] for c in calls], elapsed)
    peak = sandbox.traffic()["peak"][connection.realm_id]
    print(f"  {total - len(failed)} of {total} calls succeeded; at most {peak} at once")
    for error in sorted({c["error"] for c in failed}):
        print(f"  failed: {error}")


if __name__ == "__main__":
    main()
