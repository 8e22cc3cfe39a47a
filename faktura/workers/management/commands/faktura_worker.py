"""`manage.py faktura_worker`: django-tasks-db's `db_worker` (same options) that outlives a bad
moment of the database and whose death is noticed.

- A transient OperationalError (SQLite's "database is locked", a dropped PostgreSQL connection)
  is logged and retried with back-off instead of stopping the worker.
- A heartbeat row says the worker is alive; task rows left RUNNING by a dead worker are put
  back in line or failed with a reason (`faktura.workers.recovery`)."""

import logging
import os
import time
from typing import Any

from django.core.management.base import CommandError
from django.db import OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from faktura.core.backoff import Backoff
from faktura.workers import recovery
from faktura.workers.heartbeat import Heartbeat

log = logging.getLogger(__name__)

# A worker that went this long without a database error starts its back-off from the start.
STEADY_SECONDS = 60.0


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id)
        try:
            self._run_retrying(heartbeat)
        finally:
            heartbeat.stop()

    def _run_retrying(self, heartbeat: Heartbeat) -> None:
        backoff, failed_at, own_rows_lost = Backoff(), 0.0, False
        while True:
            try:
                if heartbeat.ident is None:  # not started yet
                    heartbeat.first_pass()
                    heartbeat.start()
                if own_rows_lost:
                    # The error may have struck between running a task and recording it.
                    recovery.recover_lost_tasks(own_worker_id=self.worker_id)
                    own_rows_lost = False
                super().run()
                return
            except OperationalError as error:
                if time.monotonic() - failed_at > STEADY_SECONDS:
                    backoff.reset()
                failed_at, own_rows_lost = time.monotonic(), True
                delay = backoff.next_delay()
                log.warning("The task worker could not use the database (%s); it tries again "
                            "in %.0f s.", error, delay)  # fmt: skip
                connections.close_all()
                self.startup_delay = False
                time.sleep(delay)


class Command(db_worker.Command):
    help = "Run the task worker: retries when the database is busy, recovers dead workers' tasks."
    # The web server runs the system checks; a worker restarted after a crash starts sooner.
    requires_system_checks: list[str] = []

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )

        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloaded child runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
