"""python manage.py workflows_clock [--interval SECONDS] [--once]

Reads the change feed and enrolls records (WF-2), then hands steps and emails whose worker died
back to the queue, every `interval` seconds. The steps themselves run in the task worker. Several
clocks may run (they take turns on the feed cursor's row lock); one is enough. A pass that finds
the database busy (SQLite's "database is locked") or gone is logged and tried again after a
back-off, instead of stopping the clock."""

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import OperationalError, close_old_connections, connections

from faktura.core.backoff import Backoff
from faktura.emails.services import recover_stale_deliveries
from faktura.workflows import engine, feed

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enroll records in workflows from the change feed; recover stalled steps and emails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between passes.")
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        backoff = Backoff()
        while True:
            try:
                self.one_pass()
            except OperationalError as error:
                if once:
                    raise
                delay = backoff.next_delay()
                log.warning("The workflow clock could not use the database (%s); it tries "
                            "again in %.0f s.", error, delay)  # fmt: skip
                connections.close_all()
                time.sleep(delay)
                continue
            backoff.reset()
            if once:
                return
            time.sleep(interval)

    def one_pass(self) -> None:
        close_old_connections()
        while feed.process_feed().read == feed.BATCH:
            pass  # a backlog: read on without waiting
        engine.recover_stale_steps()
        recover_stale_deliveries()
