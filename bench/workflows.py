"""Measure the workflow engine: enrollments per second from the change feed, steps per second in
`db_worker`, and the latency from a record's creation to its workflow's first action with
`workflows_clock` and 1, then 2 `db_worker` processes running.

    uv run python bench/workflows.py                # SQLite in a temporary data folder
    uv run python bench/workflows.py --postgres     # a throwaway PostgreSQL 15 on 127.0.0.1
    uv run python bench/workflows.py -n 500 --latency-records 50    # a quicker run
    uv run python bench/workflows.py --latency-only --clock-interval 0.1 --worker-interval 0.1

The workflow: deals whose stage is "closedwon" enroll; its one step creates a note (an action
that writes to the database, in the step's transaction). Deals are created through
`sales.services.create_deal` by this process, as the web server or the API would. 100 deals
are enrolled and run first, unmeasured (first queries, caches).

1. Enrollments: N deals are created with no clock running, then the feed is read in this
   process (what `workflows_clock` does each pass) until it has read them all.
2. Steps: with the N first steps queued, W workers start and run them; steps per second from
   the first note to the last (a worker's start-up is not counted).
3. Latency: the clock (every --clock-interval s) and W workers (polling every
   --worker-interval s when idle, as `manage.py serve` starts them) run while deals are created
   at --rate per second; for each, the time from the commit that created it to the commit of
   its note (the note's created_at), in p50/p95/p99, split at its enrollment (enrolled_at):
   the clock's part, then the worker's.
"""

import argparse
import contextlib
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGE = "closedwon"
WARM_UP = 100  # deals enrolled and run before measuring


@contextlib.contextmanager
def database(postgres: bool) -> Iterator[Path]:
    """A fresh database for this run (the environment tells this process and its children)."""
    os.environ.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="faktura-bench-") as data_dir:
        os.environ["FAKTURA_DATA_DIR"] = data_dir
        os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
        if not postgres:
            yield Path(data_dir)
            return
        from tests.postgres import running_postgres

        with running_postgres() as url:
            os.environ["DATABASE_URL"] = url
            yield Path(data_dir)


class Processes:
    """`manage.py` commands started for one phase, stopped (SIGTERM) at its end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen[bytes], Path]] = []

    def start(self, *command: str) -> None:
        log = self.logs / f"{len(self.running)}-{command[0]}-{time.monotonic_ns()}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), *command],
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.running.append((" ".join(command), process, log))

    def workers(self, count: int, interval: float) -> None:
        for _ in range(count):
            self.start("db_worker", "--no-reload", "--interval", str(interval))

    def wait_for_workers(self, timeout: float = 60) -> None:
        """Until every worker has started (it logs "Starting worker")."""
        logs = [log for name, _, log in self.running if name.startswith("db_worker")]
        wait_until(lambda: all(b"Starting worker" in log.read_bytes() for log in logs), timeout,
                   "the workers to start", self)  # fmt: skip

    def check(self) -> None:
        for name, process, log in self.running:
            if process.poll() is not None:
                raise RuntimeError(f"{name} stopped:\n{log.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        for _, process, _ in self.running:
            process.terminate()
        for _, process, _ in self.running:
            process.wait(30)
        self.running = []


def wait_until(done: Any, timeout: float, what: str, processes: Processes) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        processes.check()
        if time.monotonic() > deadline:
            raise RuntimeError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.05)


def milliseconds(span: timedelta) -> float:
    return span.total_seconds() * 1000


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: the value below which `fraction` of the samples fall."""
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))]


@dataclass
class Bench:
    actor: Any
    processes: Processes
    created: int = 0

    def create_deals(self, count: int) -> float:
        """Create `count` won deals; their rate per second."""
        from faktura.sales import services as sales

        started = time.perf_counter()
        for _ in range(count):
            self.created += 1
            sales.create_deal(actor=self.actor, dealname=f"Deal {self.created}", dealstage=STAGE)
        return count / (time.perf_counter() - started)

    def notes(self) -> int:
        from faktura.crm.models import Activity

        return Activity.objects.count()

    def enrollments(self, count: int, *, report: bool = True) -> None:
        from faktura.workflows import feed
        from faktura.workflows.models import Enrollment

        before = Enrollment.objects.count()
        created = self.create_deals(count)
        started = time.perf_counter()
        read = 0
        while run := feed.process_feed().read:
            read += run
        elapsed = time.perf_counter() - started
        enrolled = Enrollment.objects.count() - before
        assert enrolled == count, f"{enrolled} of {count} deals enrolled"
        if report:
            print(
                f"  {count} deals created ({created:.0f}/s); the feed read {read} history "
                f"entries and enrolled {count} in {elapsed:.2f} s: {count / elapsed:.0f} "
                "enrollments/s"
            )

    def steps(self, workers: int, count: int, *, report: bool = True) -> None:
        from django.db.models import Max, Min

        from faktura.crm.models import Activity

        expected = self.notes() + count
        since = Activity.objects.aggregate(last=Max("id"))["last"] or 0
        self.processes.workers(workers, interval=1)
        wait_until(lambda: self.notes() >= expected, 600, f"{count} steps", self.processes)
        self.processes.stop()
        span = Activity.objects.filter(id__gt=since).aggregate(
            first=Min("created_at"), last=Max("created_at")
        )
        elapsed = (span["last"] - span["first"]).total_seconds()
        if report:
            print(f"  {workers} worker(s): {count} steps in {elapsed:.2f} s: "
                  f"{(count - 1) / elapsed:.0f} steps/s")  # fmt: skip

    def latency(self, workers: int, records: int, rate: float, clock: float, poll: float) -> None:
        from django.utils import timezone

        from faktura.crm.models import Activity
        from faktura.sales import services as sales
        from faktura.workflows.models import Enrollment

        self.processes.start("workflows_clock", "--interval", str(clock))
        self.processes.workers(workers, interval=poll)
        self.processes.wait_for_workers()
        self.enroll_one()  # the clock and a worker are up
        committed: dict[int, datetime] = {}
        begin = time.perf_counter()
        for index in range(records):
            time.sleep(max(0.0, begin + index / rate - time.perf_counter()))
            self.created += 1
            deal = sales.create_deal(
                actor=self.actor, dealname=f"Deal {self.created}", dealstage=STAGE
            )
            committed[deal.pk] = timezone.now()
        notes = Activity.objects.filter(object_type="deal", object_id__in=committed)
        wait_until(lambda: notes.count() == records, 120, "the notes", self.processes)
        self.processes.stop()
        enrolled = dict(
            Enrollment.objects.filter(object_id__in=committed).values_list(
                "object_id", "enrolled_at"
            )
        )
        parts: dict[str, list[float]] = {"total": [], "to enrollment": [], "then to action": []}
        for note in notes:
            created, joined = committed[note.object_id], enrolled[note.object_id]
            parts["total"].append(milliseconds(note.created_at - created))
            parts["to enrollment"].append(milliseconds(joined - created))
            parts["then to action"].append(milliseconds(note.created_at - joined))
        print(f"  {workers} worker(s), {records} deals at {rate:g}/s:")
        for name, values in parts.items():
            values.sort()
            print(
                f"    {name:<15} p50 {percentile(values, 0.5):5.0f} ms  "
                f"p95 {percentile(values, 0.95):5.0f} ms  p99 {percentile(values, 0.99):5.0f} ms  "
                f"max {values[-1]:5.0f} ms  mean {statistics.mean(values):5.0f} ms"
            )

    def enroll_one(self) -> None:
        expected = self.notes() + 1
        self.create_deals(1)
        wait_until(lambda: self.notes() >= expected, 60, "a first note", self.processes)


def set_up() -> Any:
    from faktura.core.actors import Actor
    from faktura.workflows import services

    actor = Actor.system("bench")
    workflow = services.create_workflow(
        actor=actor,
        name="Won deals",
        object_type="deal",
        definition={
            "triggers": {
                "filters": [[{"property": "dealstage", "operator": "any_of", "values": [STAGE]}]],
                "events": [],
            },
            "re_enrollment": {"enabled": False, "properties": []},
            "steps": [{"id": "note", "type": "create_note",
                       "config": {"body": "Won: {{ dealname }}"}}],
        },
    )  # fmt: skip
    services.publish_workflow(workflow, actor=actor)
    services.turn_on_workflow(workflow, actor=actor)
    return actor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("-n", type=int, default=2000, help="deals per enrollment/steps run")
    parser.add_argument("--latency-records", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10, help="deals per second (latency)")
    parser.add_argument("--clock-interval", type=float, default=1.0)
    parser.add_argument("--worker-interval", type=float, default=1.0)
    parser.add_argument("--latency-only", action="store_true", help="skip enrollments and steps")
    args = parser.parse_args()
    with database(args.postgres) as data_dir:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        bench = Bench(set_up(), Processes(data_dir))
        version = sqlite3.sqlite_version if connection.vendor == "sqlite" else ""
        print(f"database: {connection.vendor} {version}".strip() + f", n={args.n}")
        try:
            bench.enrollments(WARM_UP, report=False)  # first queries, caches, a worker's start
            bench.steps(1, WARM_UP, report=False)
            for workers in () if args.latency_only else (1, 2):
                print(f"enrollments, then steps with {workers} worker(s):")
                bench.enrollments(args.n)
                bench.steps(workers, args.n)
            print(
                f"latency from creation to the first action (clock every {args.clock_interval:g} "
                f"s, idle workers polling every {args.worker_interval:g} s):"
            )
            for workers in (1, 2):
                bench.latency(
                    workers,
                    args.latency_records,
                    args.rate,
                    args.clock_interval,
                    args.worker_interval,
                )
        finally:
            bench.processes.stop()


if __name__ == "__main__":
    main()
