"""The worker's heartbeat, in a thread of its own so a long task does not stop it: the worker's
row is beaten every BEAT_EVERY, and every RECOVER_EVERY the task rows of dead workers are
recovered (first on start, before any claim, so a restarted worker picks up what its
predecessor left)."""

import datetime as dt
import logging
import os
import threading
import time
from contextlib import suppress

from django.db import DatabaseError, connection
from django.utils import timezone

from faktura.workers import recovery
from faktura.workers.liveness import BEAT_EVERY, HOST
from faktura.workers.models import WorkerBeat

log = logging.getLogger(__name__)

RECOVER_EVERY = dt.timedelta(seconds=30)
PRUNE_EVERY = dt.timedelta(hours=1)


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str) -> None:
        super().__init__(name="faktura-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def first_pass(self) -> None:
        """Beat and recover in the worker's own thread, before it claims its first task."""
        self._beat()
        recovery.recover_lost_tasks()

    def run(self) -> None:
        recovered, pruned = time.monotonic(), 0.0  # the last passes; 0: due now
        try:
            while True:
                try:
                    self._beat()
                    if time.monotonic() - recovered >= RECOVER_EVERY.total_seconds():
                        recovery.recover_lost_tasks()
                        recovered = time.monotonic()
                    if time.monotonic() - pruned >= PRUNE_EVERY.total_seconds():
                        recovery.prune_finished()
                        pruned = time.monotonic()
                except DatabaseError as error:
                    log.warning("The worker's heartbeat could not be written (%s); it tries "
                                "again in %d s.", error, BEAT_EVERY.seconds)  # fmt: skip
                if self.stopping.wait(BEAT_EVERY.total_seconds()):
                    return
        finally:
            connection.close()

    def _beat(self) -> None:
        alive = {"host": HOST, "pid": os.getpid(), "beat_at": timezone.now()}
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults=alive,
            create_defaults={**alive, "started_at": self.started_at},
        )

    def stop(self) -> None:
        """Stop beating and say goodbye: a worker that stopped cleanly left no task running."""
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=BEAT_EVERY.total_seconds())
        with suppress(DatabaseError):  # else the row runs out on its own (LEASE)
            WorkerBeat.objects.filter(pk=self.worker_id).delete()
