"""Measure the "Create QuickBooks invoice" workflow action at QuickBooks' limits: N won deals of
one company enrolled, then their steps run by 1, then 2 `db_worker` processes against a local
qbo_sandbox enforcing Intuit's limits (500 requests a minute, 10 at once, per company).

    uv run python bench/quickbooks.py                    # 10,000 deals per worker count
    uv run python bench/quickbooks.py -n 1500 --workers 1,2
    uv run python bench/quickbooks.py --postgres         # a throwaway PostgreSQL 15

The data is like the demo's: one sandbox company connected through the consent page, 50
products synced to it (so every line's item is linked by product sync), 200 contacts reused
across the deals (each deal has one contact and 1 to 3 product lines), and one workflow, on:
won deals → "Create QuickBooks invoice". For each worker count, N new deals are created and
enrolled with no worker running; then the workers start and run the N steps.

Printed per worker count: documents a minute, QuickBooks requests a document (from the
sandbox's own count for the company), requests a minute against the 500 ceiling, the
customers created, the 429s the sandbox answered, duplicates (sandbox invoices naming one deal
more than once, and QuickBooksDocument rows per step run) and the wall time. The window is from
the first request of the phase to its last, so the workers' start-up is not counted.
"""

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workflows import Processes, database, wait_until  # noqa: E402

if TYPE_CHECKING:
    from tests.qbo import Sandbox

STAGE = "closedwon"
CONTACTS = 200
PRODUCTS = 50
CEILING = 500  # Intuit's requests a minute per company
STEADY_AFTER = 60.0  # seconds
POLL = 5.0  # seconds between reads of the sandbox's traffic (it keeps the last 1,000 times)


@dataclass
class Traffic:
    """The sandbox's request and 429 times for one company, gathered while it keeps only the
    last 1,000 of each."""

    sandbox: "Sandbox"
    realm: str
    started: list[float] = field(default_factory=list)
    throttled: list[float] = field(default_factory=list)

    def gather(self) -> None:
        report = self.sandbox.traffic()
        for seen, times in (
            (self.started, report["started"].get(self.realm, [])),
            (self.throttled, report["throttled"].get(self.realm, [])),
        ):
            last = seen[-1] if seen else 0.0
            seen.extend(t for t in times if t > last)

    def between(self, times: list[float], begin: float, end: float) -> list[float]:
        return [t for t in times if begin <= t <= end]


@dataclass
class Bench:
    sandbox: "Sandbox"
    actor: Any
    connection: Any
    contacts: list[Any]
    products: list[Any]
    processes: Processes
    traffic: Traffic
    created: int = 0

    def api(self, query: str) -> dict[str, Any]:
        """A query straight to the sandbox (not through the budget): for counting, outside
        the measured window."""
        from faktura.quickbooks.tokens import access_token

        answer = requests.get(
            f"{self.sandbox.base_url}/v3/company/{self.connection.realm_id}/query",
            params={"query": query, "minorversion": "75"},
            headers={
                "Authorization": f"Bearer {access_token(self.connection.pk)}",
                "Accept": "application/json",
            },
            timeout=30,
        )
        answer.raise_for_status()
        return dict(answer.json()["QueryResponse"])

    def count(self, entity: str) -> int:
        return int(self.api(f"SELECT COUNT(*) FROM {entity}").get("totalCount", 0))

    def invoice_memos(self) -> Iterator[str]:
        start = 1
        while rows := self.api(f"SELECT * FROM Invoice STARTPOSITION {start} MAXRESULTS 1000").get(
            "Invoice", []
        ):
            yield from (str(row.get("PrivateNote") or "") for row in rows)
            start += len(rows)

    def create_deals(self, count: int, rng: random.Random) -> list[int]:
        from faktura.sales import services as sales

        ids = []
        for _ in range(count):
            self.created += 1
            chosen = rng.sample(self.products, rng.randint(1, 3))
            deal = sales.create_deal(
                actor=self.actor,
                dealname=f"Bench deal {self.created}",
                dealstage=STAGE,
                contacts=[self.contacts[self.created % len(self.contacts)]],
                lines=[
                    {"name": p.name, "unit_price": p.unit_price, "quantity": rng.randint(1, 5),
                     "product_id": p.pk, "sku": p.sku}
                    for p in chosen
                ],
            )  # fmt: skip
            ids.append(deal.pk)
        return ids

    def phase(self, workers: int, count: int, rng: random.Random) -> None:
        from django.db.models import Count

        from faktura.quickbooks.models import QuickBooksDocument
        from faktura.workflows import feed
        from faktura.workflows.models import FINISHED, StepRun, StepStatus

        began = time.perf_counter()
        deals = self.create_deals(count, rng)
        while feed.process_feed().read:
            pass
        steps = StepRun.objects.filter(
            enrollment__object_type="deal", enrollment__object_id__in=deals
        )
        assert steps.count() == count, f"{steps.count()} of {count} deals enrolled"
        print(f"  {count} deals created and enrolled in {time.perf_counter() - began:.0f} s")
        customers_before = self.count("Customer")
        self.traffic.gather()
        mark = time.time()
        started = time.perf_counter()
        self.processes.workers(workers, interval=0.2)
        next_gather = time.monotonic() + POLL

        def finished() -> bool:
            nonlocal next_gather
            if time.monotonic() >= next_gather:
                self.traffic.gather()
                next_gather = time.monotonic() + POLL
            return not steps.exclude(status__in=FINISHED).exists()

        wait_until(finished, 24 * 3600, f"{count} steps", self.processes)
        wall = time.perf_counter() - started
        self.processes.stop()
        self.traffic.gather()
        end = time.time()
        made = self.traffic.between(self.traffic.started, mark, end)
        throttled = self.traffic.between(self.traffic.throttled, mark, end)
        window = (made[-1] - made[0]) if len(made) > 1 else 0.0
        documents = QuickBooksDocument.objects.filter(object_type="deal", object_id__in=deals)
        failed = steps.filter(status=StepStatus.FAILED)
        rows_per_step = documents.values("object_id").annotate(n=Count("id")).filter(n__gt=1)
        created_customers = self.count("Customer") - customers_before
        done = documents.count()
        minutes = window / 60
        print(f"  {workers} worker(s): {done} documents of {count} steps ({failed.count()} failed)")
        for step in failed[:3]:
            print(f"    failed: {step.error[:300]}")
        if not minutes:
            return
        print(
            f"    {done / minutes:.0f} documents/min; {len(made)} requests = "
            f"{len(made) / max(done, 1):.2f} a document ({done} invoice creates, "
            f"{created_customers} customer creates, {len(made) - done - created_customers} "
            f"queries and reads)"
        )
        print(
            f"    {len(made) / minutes:.0f} requests/min = {len(made) / minutes / CEILING:.1%} of "
            f"{CEILING}; documents/min = {done / minutes / CEILING:.1%} of the ceiling; "
            f"{len(throttled)} 429s; window {window:.0f} s, wall {wall:.0f} s"
        )
        print(f"    QuickBooksDocument rows per step run > 1: {rows_per_step.count()}")
        # Past the first minute: the burst and most first look-ups of customers are behind.
        if window > 2 * STEADY_AFTER:
            since = made[0] + STEADY_AFTER
            later = [t for t in made if t >= since]
            later_docs = documents.filter(
                created_at__gte=datetime.fromtimestamp(since, UTC)
            ).count()
            span = (made[-1] - since) / 60
            print(
                f"    after the first {STEADY_AFTER:.0f} s: {later_docs / span:.0f} documents/min "
                f"= {later_docs / span / CEILING:.1%} of {CEILING}, "
                f"{len(later) / max(later_docs, 1):.2f} requests a document, "
                f"{len(later) / span:.0f} requests/min"
            )

    def sandbox_duplicates(self) -> tuple[int, int]:
        """(invoices in the sandbox, deals named by more than one of them)."""
        per_deal: dict[str, int] = {}
        total = 0
        for memo in self.invoice_memos():
            total += 1
            if memo.startswith("Faktura deal "):
                key = memo.split(":", 1)[0]
                per_deal[key] = per_deal.get(key, 0) + 1
        return total, sum(1 for n in per_deal.values() if n > 1)


def set_up(sandbox: "Sandbox", data_dir: Path) -> Bench:
    from faktura.accounts.models import Role, User
    from faktura.core.actors import Actor
    from faktura.crm import services as crm
    from faktura.quickbooks.actions import INVOICE
    from faktura.quickbooks.product_sync import request_product_sync, run_product_sync
    from faktura.quickbooks.tests.conftest import connect
    from faktura.sales import services as sales
    from faktura.workflows import services

    user = User.objects.create_user("bench", "bench@faktura.test", "bench", role=Role.SUPER_ADMIN)
    actor = Actor.for_user(user)
    connection = connect(sandbox, actor, company_name="Bench Co")
    connection.income_account_id, connection.income_account_name = "1", "Services"
    connection.save(update_fields=["income_account_id", "income_account_name"])
    products = [
        sales.create_product(actor=actor, name=f"Bench product {i}", hs_sku=f"BENCH-{i:03}",
                             price=f"{10 + i}.00", description=f"Product {i} of the bench")
        for i in range(PRODUCTS)
    ]  # fmt: skip
    run = run_product_sync(request_product_sync(connection, actor=actor, enqueue=False).pk)
    print(f"product sync: {run.status}, {run.pushed} pushed, {run.linked} linked {run.message}")
    contacts = [
        crm.create_contact(actor=actor, firstname=f"Customer{i}", lastname="Bench",
                           email=f"customer{i}@bench.test")
        for i in range(CONTACTS)
    ]  # fmt: skip
    workflow = services.create_workflow(
        actor=actor,
        name="Won deals to QuickBooks",
        object_type="deal",
        definition={
            "triggers": {
                "filters": [[{"property": "dealstage", "operator": "any_of", "values": [STAGE]}]],
                "events": [],
            },
            "re_enrollment": {"enabled": False, "properties": []},
            "steps": [{"id": "invoice", "type": INVOICE.name,
                       "config": {"connection": str(connection.pk), "terms": "",
                                  "contact": "first", "line_items": "all",
                                  "create_products": False}}],
        },
    )  # fmt: skip
    services.publish_workflow(workflow, actor=actor)
    services.turn_on_workflow(workflow, actor=actor)
    return Bench(
        sandbox, actor, connection, contacts, products, Processes(data_dir),
        Traffic(sandbox, connection.realm_id),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("-n", type=int, default=10_000, help="deals per worker count")
    parser.add_argument("--workers", default="1,2", help="worker counts, one run each")
    parser.add_argument("--seed", type=int, default=15)
    arguments = parser.parse_args()
    from tests.qbo import start_sandbox, stop_sandbox

    sandbox = start_sandbox()
    try:
        with database(arguments.postgres) as data_dir:
            os.environ |= sandbox.environment()
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
            import django

            django.setup()
            from django.core.management import call_command
            from django.db import connection

            call_command("migrate", verbosity=0)
            sandbox.control("limits", {"per_minute": CEILING, "concurrent": 10})
            bench = set_up(sandbox, data_dir)
            print(f"database: {connection.vendor}, n={arguments.n}, qbo_sandbox at Intuit's "
                  f"limits ({CEILING}/min, 10 at once)")  # fmt: skip
            rng = random.Random(arguments.seed)
            try:
                for workers in (int(w) for w in arguments.workers.split(",")):
                    print(f"{workers} worker(s):")
                    bench.phase(workers, arguments.n, rng)
            finally:
                bench.processes.stop()
            sandbox.control("limits", {"per_minute": 100_000})
            invoices, duplicated = bench.sandbox_duplicates()
            print(f"sandbox: {invoices} invoices, {duplicated} deals with more than one")
    finally:
        stop_sandbox(sandbox)


if __name__ == "__main__":
    main()
