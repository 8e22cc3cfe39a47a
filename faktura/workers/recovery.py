"""Task rows of django-tasks-db whose worker died (killed, crashed, its machine gone) would stay
RUNNING forever. They go back in line, as the workflow engine does with its steps — every task
of Faktura is written to be safe to run twice — until a row has been lost MAX_ATTEMPTS times;
then it is FAILED with a reason a person can read. Finished rows are pruned after a while."""

import datetime as dt
import logging

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from faktura.workers.liveness import is_dead
from faktura.workers.models import WorkerBeat

log = logging.getLogger(__name__)

# Runs of one task row cut short by a dead worker before it is failed instead of run again.
MAX_ATTEMPTS = 3
KEEP_FINISHED = dt.timedelta(days=14)


class WorkerLost(Exception):
    """The reason recorded on a task row whose worker died too often while running it."""


def _last_worker(row: DBTaskResult) -> str:
    return str(row.worker_ids[-1]) if row.worker_ids else ""


def recover_lost_tasks(*, own_worker_id: str = "", now: dt.datetime | None = None) -> int:
    """Requeue or fail the RUNNING rows of dead workers; the rows of `own_worker_id` count as
    lost too (the caller runs no task). Returns how many rows were handled."""
    now = now or timezone.now()
    running = list(DBTaskResult.objects.running())
    beats = WorkerBeat.objects.in_bulk()  # a row per worker: a handful
    handled = 0
    for row in running:
        worker = _last_worker(row)
        if worker != own_worker_id and not is_dead(beats.get(worker), row.started_at, now):
            continue
        if _settle(row, now):
            handled += 1
    dead = [beat.pk for beat in beats.values() if is_dead(beat, None, now)]
    WorkerBeat.objects.filter(pk__in=dead).delete()
    return handled


def _settle(row: DBTaskResult, now: dt.datetime) -> bool:
    # Only this claim: a row claimed again meanwhile (another started_at) is someone else's.
    claim = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING,
                                        started_at=row.started_at)  # fmt: skip
    attempts = len(row.worker_ids)
    if attempts < MAX_ATTEMPTS:
        requeued = claim.update(status=TaskResultStatus.READY)
        if requeued:
            log.warning("Task %s (%s) was running in a worker that died; it runs again "
                        "(attempt %d).", row.pk, row.task_path, attempts + 1)  # fmt: skip
        return bool(requeued)
    reason = (
        f"The worker running this task stopped (killed or crashed) {attempts} times before it "
        "finished, so it was not run again. Look at the worker's log for why."
    )
    failed = claim.update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: {reason}\n",
    )
    if failed:
        log.error("Task %s (%s) failed: %s", row.pk, row.task_path, reason)
    return bool(failed)


def prune_finished(*, now: dt.datetime | None = None) -> int:
    """Delete finished task rows older than KEEP_FINISHED (nothing else reads them)."""
    cutoff = (now or timezone.now()) - KEEP_FINISHED
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
