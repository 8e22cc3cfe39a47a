"""python manage.py quickbooks_sync_products [--realm ID]

Syncs products with every connected QuickBooks company (or the one named), here and now, and
prints what each run did and the conflicts it left. Exits 1 when a run failed."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.quickbooks.models import ConnectionStatus, QuickBooksConnection, SyncStatus
from faktura.quickbooks.product_sync import request_product_sync, run_product_sync


class Command(BaseCommand):
    help = "Sync Faktura's products with connected QuickBooks companies (QB-5)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--realm", help="The QuickBooks company (realm) id; default: all.")

    def handle(self, *args: Any, realm: str | None, **options: Any) -> None:
        connections = QuickBooksConnection.objects.filter(status=ConnectionStatus.CONNECTED)
        if realm:
            connections = QuickBooksConnection.objects.filter(realm_id=realm)
            if not connections:
                raise CommandError(f"No QuickBooks company {realm} is connected.")
        actor = Actor.system("quickbooks_sync_products")
        failed = False
        for connection in connections:
            try:
                run = request_product_sync(connection, actor=actor, enqueue=False)
            except RuleViolation as refused:
                self.stderr.write(f"{connection}: {refused}")
                failed = True
                continue
            run = run_product_sync(run.pk)
            self.stdout.write(f"{connection}: {run.get_status_display()}. {run.message}")
            for conflict in run.conflicts:
                self.stdout.write(
                    f"  conflict: {conflict['name']} ({conflict['field']}): Faktura "
                    f"{conflict['faktura']!r}, QuickBooks {conflict['quickbooks']!r}"
                )
            failed = failed or run.status == SyncStatus.FAILED
        if failed:
            raise SystemExit(1)
