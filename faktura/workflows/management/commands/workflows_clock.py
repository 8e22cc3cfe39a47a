"""python manage.py workflows_clock [--interval SECONDS] [--once]

Reads the change feed and enrolls records (WF-2), then hands steps and emails whose worker died
back to the queue, every `interval` seconds. The steps themselves run in `db_worker`. Several clocks
may run (they take turns on the feed cursor's row lock); one is enough."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from faktura.emails.services import recover_stale_deliveries
from faktura.workflows import engine, feed


class Command(BaseCommand):
    help = "Enroll records in workflows from the change feed; recover stalled steps and emails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between passes.")
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        while True:
            close_old_connections()
            while feed.process_feed().read == feed.BATCH:
                pass  # a backlog: read on without waiting
            engine.recover_stale_steps()
            recover_stale_deliveries()
            if once:
                return
            time.sleep(interval)
