"""`manage.py serve`'s processes (issue 13, item 3), real ones: a child killed with SIGKILL is
started again by the supervisor and the web answers again; SIGTERM stops every child. The
worker and the clock outlive a database error instead of exiting."""

import os
import signal
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from faktura.demo import quickbooks_sandbox
from faktura.demo.supervisor import Supervisor
from faktura.workers.liveness import process_running
from faktura.workflows.models import FeedCursor
from faktura.workflows.tasks import process_feed_task
from tests.postgres import _free_port
from tests.processes import Processes, shared_database


@pytest.fixture
def processes(transactional_db: None, tmp_path: Path) -> Iterator[Processes]:
    with shared_database(tmp_path) as env:
        started = Processes(env, tmp_path)
        try:
            yield started
        finally:
            started.stop()


def children_of(pid: int) -> dict[int, str]:
    """The running child processes of `pid`, by pid: their command lines (Linux's /proc)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # it ended meanwhile
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(stat.parent.name)] = command
    return found


def child(pid: int, command: str) -> int | None:
    return next((p for p, line in children_of(pid).items() if command in line), None)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


SUPERVISED = """
import sys
from faktura.demo.supervisor import Supervisor

web = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", sys.argv[1]]
worker = [sys.executable, "-c", "import time; time.sleep(600)"]
Supervisor({"web server": web, "task worker": worker}, print).run_until_terminated()
"""


def test_a_killed_child_is_started_again_and_sigterm_stops_them_all(tmp_path: Path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    processes = Processes(dict(os.environ), tmp_path)
    supervisor = processes.start_python("supervisor", "-u", "-c", SUPERVISED, str(port))
    try:
        processes.wait_until(lambda: answers(url), "the web server to answer")
        processes.wait_until(lambda: len(children_of(supervisor.pid)) == 2, "both children")
        web, worker = child(supervisor.pid, "http.server"), child(supervisor.pid, "sleep")
        assert web
        assert worker

        os.kill(web, signal.SIGKILL)
        os.kill(worker, signal.SIGKILL)

        processes.wait_until(
            lambda: child(supervisor.pid, "http.server") not in (None, web) and answers(url),
            "the web server to be started again and answer",
        )
        processes.wait_until(
            lambda: child(supervisor.pid, "sleep") not in (None, worker), "a new worker"
        )
        log = processes.logs()
        assert "the web server stopped (killed by SIGKILL); it starts again in 1 s" in log
        assert "the task worker stopped (killed by SIGKILL); it starts again in 1 s" in log

        running = list(children_of(supervisor.pid))
        supervisor.terminate()
        assert supervisor.wait(15) == 0
        assert not [pid for pid in running if process_running(pid)]
    finally:
        processes.stop()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="renames a table under SQLite")
def test_the_worker_and_the_clock_outlive_a_database_error(processes: Processes, settings: Any):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    worker = processes.worker()
    clock = processes.start("workflows_clock", "--interval", "0.1")
    processes.wait_until(lambda: "Starting worker" in processes.logs(), "the worker to start")
    tables = [DBTaskResult._meta.db_table, FeedCursor._meta.db_table]
    with connection.cursor() as cursor:  # every pass of theirs fails: no such table
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} RENAME TO away_{table}")
    processes.wait_until(
        lambda: all(f"{who} could not use the database" in processes.logs()
                    for who in ("task worker", "workflow clock")),
        "both to meet the error",
    )  # fmt: skip
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE away_{table} RENAME TO {table}")

    queued = process_feed_task.enqueue().id
    processes.wait_until(
        lambda: DBTaskResult.objects.get(pk=queued).status == "SUCCESSFUL", "the worker to run it"
    )
    assert worker.poll() is None
    assert clock.poll() is None


def test_the_quickbooks_sandbox_answers_before_the_next_child_starts(tmp_path: Path):
    # SPEC QB-14: the demo's Connect goes through the sandbox, so web and worker start after it;
    # the demo's company is connected in between (`then`), once.
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    seen = tmp_path / "seen"
    hooked: list[bool] = []  # whether the web server had started when the hook ran
    # Writes once (mode "x"): whether the sandbox answered when this child first started.
    probe = (
        "import sys, urllib.request\n"
        "try:\n"
        f"    urllib.request.urlopen({base!r} + '/.well-known/openid-configuration', timeout=5)\n"
        "    answered = 'answered'\n"
        "except OSError:\n"
        "    answered = 'refused'\n"
        f"open({str(seen)!r}, 'x').write(answered)\n"
    )
    supervisor = Supervisor(
        {
            "QuickBooks sandbox": quickbooks_sandbox.command(port, tmp_path / "qbo.sqlite3"),
            "web server": [sys.executable, "-c", probe],
        },
        print,
        ready={"QuickBooks sandbox": quickbooks_sandbox.answering(base)},
        then={"QuickBooks sandbox": lambda: hooked.append(seen.exists())},
        cwd=settings.BASE_DIR,
    )
    runner = threading.Thread(target=supervisor.run)
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while not seen.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        supervisor.stop()
        runner.join(30)
    assert seen.read_text() == "answered"
    assert hooked == [False]
    assert (tmp_path / "qbo.sqlite3").exists()  # the demo's companies outlive a restart
