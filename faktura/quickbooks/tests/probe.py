"""QuickBooks calls from real processes, for the fault tests (test_faults.py):

    python -m faktura.quickbooks.tests.probe CONNECTION_ID:PROCESSES:CALLS [...]
        [--barrier FILE] [--max-wait SECONDS]

Django is set up once (it takes seconds), then for each connection PROCESSES child processes
are forked (before any database connection is open, so each opens its own). Each child prints
{"ready": pid}, waits until the barrier file exists, makes CALLS company_info calls one after
the other and prints one JSON line per call: pid, connection, ok, the error's message /
retryable / retry_after, and the wall times it started and ended. The exit status is 1 when a
child crashed; failed calls are for the test to judge.
The environment is the one `tests.processes.shared_database` gives, plus the sandbox's."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from typing import Any, NoReturn

import django


def emit(line: dict[str, Any]) -> None:
    # One write per line (print may write the newline apart), so the children's lines never
    # interleave in the output they share.
    os.write(sys.stdout.fileno(), (json.dumps(line) + "\n").encode())


def calls(connection_id: int, count: int, arguments: argparse.Namespace) -> None:
    from faktura.quickbooks.client import QuickBooksClient
    from faktura.quickbooks.errors import QuickBooksError
    from faktura.quickbooks.models import QuickBooksConnection

    emit({"ready": os.getpid()})
    while arguments.barrier and not os.path.exists(arguments.barrier):
        time.sleep(0.01)
    connection = QuickBooksConnection.objects.get(pk=connection_id)
    client = QuickBooksClient(connection, max_wait=arguments.max_wait)
    for _ in range(count):
        started = time.time()
        result: dict[str, Any] = {"pid": os.getpid(), "connection": connection_id, "ok": True}
        try:
            client.company_info()
        except QuickBooksError as error:
            result |= {
                "ok": False,
                "error": error.message,
                "retryable": error.retryable,
                "retry_after": error.retry_after,
            }
        emit(result | {"started": started, "ended": time.time()})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("work", nargs="+", help="CONNECTION_ID:PROCESSES:CALLS")
    parser.add_argument("--barrier", default="")
    parser.add_argument("--max-wait", type=float, default=30.0)
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connections

    # Imported once here rather than in each child.
    import faktura.quickbooks.client  # noqa: F401

    connections.close_all()
    work = [tuple(int(n) for n in item.split(":")) for item in arguments.work]
    children = []
    for connection_id, processes, count in work:
        for _ in range(processes):
            pid = os.fork()
            if pid == 0:
                run(connection_id, count, arguments)
            children.append(pid)
    crashed = sum(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0 for pid in children)
    sys.exit(1 if crashed else 0)


def run(connection_id: int, count: int, arguments: argparse.Namespace) -> NoReturn:
    """A forked child's life."""
    code = 0
    try:
        calls(connection_id, count, arguments)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
