"""A task worker that is alive says so: one row per running `faktura_worker`, beaten every few
seconds, so any process on any machine can tell a dead worker's task rows from a busy one's."""

from django.db import models


class WorkerBeat(models.Model):
    # django-tasks-db's worker id, the one it appends to a task row's `worker_ids` when claiming.
    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"worker {self.worker_id} (pid {self.pid} on {self.host})"
