"""Task rows left RUNNING by a dead worker (issue 13, item 5): run again, a bounded number of
times, then failed with a reason; a live worker's rows are left alone; old rows are pruned."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from faktura.listings.tasks import run_export_task
from faktura.workers import recovery
from faktura.workers.liveness import HOST, LEASE
from faktura.workers.models import WorkerBeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def beat(worker_id: str, *, pid: int, host: str = HOST, age: dt.timedelta = dt.timedelta()):
    at = timezone.now() - age
    return WorkerBeat.objects.create(worker_id=worker_id, host=host, pid=pid, started_at=at,
                                     beat_at=at)  # fmt: skip


def claimed_by(*worker_ids: str, started: dt.datetime | None = None) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=run_export_task.enqueue(1).id)
    for worker_id in worker_ids:
        row.claim(worker_id)
    if started:
        DBTaskResult.objects.filter(pk=row.pk).update(started_at=started)
    return row


def status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


def test_a_row_whose_worker_process_is_gone_runs_again_and_the_worker_is_forgotten():
    beat("killed", pid=dead_pid())
    row = claimed_by("killed")

    assert recovery.recover_lost_tasks() == 1

    assert status(row) == "READY"
    assert row.worker_ids == ["killed"]  # the attempts so far
    assert not WorkerBeat.objects.exists()


def test_a_dead_worker_that_ran_nothing_is_forgotten_too():
    beat("killed-idle", pid=dead_pid())
    beat("alive", pid=os.getpid())

    assert recovery.recover_lost_tasks() == 0

    assert list(WorkerBeat.objects.values_list("pk", flat=True)) == ["alive"]


def test_a_live_worker_keeps_its_row_here_and_on_another_machine():
    beat("here", pid=os.getpid())
    beat("there", pid=1, host="another-machine", age=LEASE / 2)
    rows = [claimed_by("here"), claimed_by("there")]

    assert recovery.recover_lost_tasks() == 0

    assert [status(row) for row in rows] == ["RUNNING", "RUNNING"]


def test_a_worker_on_another_machine_is_dead_once_its_beat_is_older_than_the_lease():
    beat("there", pid=1, host="another-machine", age=LEASE + dt.timedelta(seconds=1))
    row = claimed_by("there")

    assert recovery.recover_lost_tasks() == 1

    assert status(row) == "READY"


def test_a_row_of_an_unknown_worker_is_recovered_once_the_lease_has_passed_since_its_claim():
    recent = claimed_by("plain-db-worker")
    old = claimed_by("plain-db-worker", started=timezone.now() - LEASE - dt.timedelta(seconds=1))

    assert recovery.recover_lost_tasks() == 1

    assert [status(recent), status(old)] == ["RUNNING", "READY"]


def test_the_third_lost_run_fails_the_row_with_a_reason():
    beat("third", pid=dead_pid())
    row = claimed_by("first", "second", "third")

    assert recovery.recover_lost_tasks() == 1

    assert status(row) == "FAILED"
    assert row.finished_at
    assert row.exception_class_path == "faktura.workers.recovery.WorkerLost"
    assert "stopped (killed or crashed) 3 times before it finished" in row.traceback
    error = row.task_result.errors[0]
    assert error.exception_class_path == "faktura.workers.recovery.WorkerLost"


def test_the_worker_itself_releases_its_own_rows_after_a_database_error():
    beat("me", pid=os.getpid())
    row = claimed_by("me")

    assert recovery.recover_lost_tasks(own_worker_id="me") == 1

    assert status(row) == "READY"


def test_finished_rows_are_pruned_after_two_weeks():
    old, recent = claimed_by("w"), claimed_by("w")
    for row, age in [
        (old, recovery.KEEP_FINISHED + dt.timedelta(hours=1)),
        (recent, dt.timedelta()),
    ]:
        row.set_successful("done")
        DBTaskResult.objects.filter(pk=row.pk).update(finished_at=timezone.now() - age)
    waiting = DBTaskResult.objects.get(pk=run_export_task.enqueue(1).id)

    assert recovery.prune_finished() == 1

    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
