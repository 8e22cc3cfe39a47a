"""Measure line-item batches on one invoice through the API (POST /crm/v3/objects/line_items/
batch/create, each input associated with the invoice), in process through Django's whole stack,
against a ceiling measured in the same run: a bare bulk_create of the same rows.

    uv run python bench/line_items_batch.py              # SQLite (WAL) in a temporary folder
    uv run python bench/line_items_batch.py --postgres   # a throwaway PostgreSQL 15 on 127.0.0.1

Prints, for batches of 10, 100 and 500 lines on a fresh draft, the median time and the time per
line; the time of each of five 100-line batches filling one invoice to 500 lines (no work may
grow per line with the invoice), then one batch update and one batch archive of all its lines;
and how long another client's writes waited while a 500-line batch ran (the lock it holds).
"""

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@contextlib.contextmanager
def database(postgres: bool) -> Iterator[None]:
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["FAKTURA_DATA_DIR"] = data_dir
        os.environ["FAKTURA_API_RATE_LIMIT"] = "off"
        if not postgres:
            yield
            return
        from tests.postgres import running_postgres

        with running_postgres() as url:
            os.environ["DATABASE_URL"] = url
            yield


def median_seconds(work: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("-n", type=int, default=5, help="runs per batch size")
    parser.add_argument("--sizes", default="10,100,499", help="batch sizes, comma-separated")
    parser.add_argument("--fill", type=int, default=5, help="100-line batches on one invoice")
    args = parser.parse_args()
    with database(args.postgres):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.test import Client

        from faktura.api.scopes import ALL_SCOPES
        from faktura.api.tokens import create_token
        from faktura.core.actors import Actor
        from faktura.crm.services import create_contact
        from faktura.invoices import services
        from faktura.invoices.models import Invoice, InvoiceLine
        from faktura.sales.models import LineNumber

        call_command("migrate", verbosity=0)
        actor = Actor.system("bench")
        scopes = [s if isinstance(s, str) else s[0] for s in ALL_SCOPES]
        token = create_token(actor=actor, name="bench", scopes=scopes)[1]
        ada = create_contact(actor=actor, firstname="Ada", lastname="Lovelace", email="a@x.org")
        first = {"name": "Setup", "unit_price": "100", "quantity": "1"}

        def draft() -> Invoice:
            return services.create_draft_invoice(actor=actor, contacts=[ada], lines=[first])

        def post(path: str, body: dict[str, Any]) -> Any:
            client = Client(headers={"Authorization": f"Bearer {token}"})
            response = client.post(path, json.dumps(body), content_type="application/json")
            if response.status_code not in (200, 201, 204):
                raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
            return response

        def batch(invoice: Invoice, count: int) -> None:
            to = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 410}]
            inputs = [
                {
                    "properties": {"name": f"Hour {n}", "price": "150", "quantity": "1"},
                    "associations": [{"to": {"id": str(invoice.pk)}, "types": to}],
                }
                for n in range(count)
            ]
            post("/crm/v3/objects/line_items/batch/create", {"inputs": inputs})

        def bare(invoice: Invoice, count: int) -> None:
            """The ceiling: the same rows written by one bulk_create, nothing else."""
            with transaction.atomic():
                ids = LineNumber.objects.draw(count)
                InvoiceLine.objects.bulk_create(
                    InvoiceLine(id=pk, invoice=invoice, position=n, name=f"Hour {n}",
                                unit_price=150, quantity=1, amount=150, total=150)
                    for n, pk in enumerate(ids)
                )  # fmt: skip

        print(f"{connection.vendor}; median of {args.n} runs, each on a fresh one-line draft")
        print(f"{'lines':>5} {'batch':>10} {'per line':>10} {'bare':>10} {'per line':>10} ratio")
        batch(draft(), 10)  # warm-up: imports, the API's routes
        sizes = [int(size) for size in args.sizes.split(",")]
        for count in sizes:
            api = median_seconds(lambda: batch(draft(), count), args.n)  # noqa: B023
            floor = median_seconds(lambda: bare(draft(), count), args.n)  # noqa: B023
            per_line, bare_per_line = api / count * 1000, floor / count * 1000
            print(f"{count:>5} {api * 1000:8.1f}ms {per_line:8.2f}ms "
                  f"{floor * 1000:8.1f}ms {bare_per_line:8.2f}ms {api / floor:5.1f}x")  # fmt: skip

        print("\nfilling one invoice 100 lines at a time (time of each batch)")
        invoice, times = draft(), []
        for count in [100, 100, 100, 100, 99][: args.fill]:
            started = time.perf_counter()
            batch(invoice, count)
            times.append(time.perf_counter() - started)
        print("  " + "  ".join(f"{t * 1000:.0f}ms" for t in times))
        ids = [str(pk) for pk in invoice.lines.values_list("pk", flat=True)]
        changes = [{"id": pk, "properties": {"quantity": "2"}} for pk in ids]
        updated = median_seconds(
            lambda: post("/crm/v3/objects/line_items/batch/update", {"inputs": changes}), 1
        )
        gone = [{"id": pk} for pk in ids]
        archived = median_seconds(
            lambda: post("/crm/v3/objects/line_items/batch/archive", {"inputs": gone}), 1
        )
        print(f"  then all {len(ids)} lines changed in one batch/update: {updated * 1000:.0f}ms, "
              f"removed in one batch/archive: {archived * 1000:.0f}ms")  # fmt: skip

        print(f"\nanother client's writes while a {max(sizes)}-line batch runs (one after another)")
        waits: list[float] = []
        for _run in range(args.n):
            invoice, done = draft(), threading.Event()

            def big(invoice: Invoice = invoice, done: threading.Event = done) -> None:
                try:
                    batch(invoice, max(sizes))
                finally:
                    done.set()
                    connection.close()

            thread = threading.Thread(target=big)
            thread.start()
            while not done.is_set():
                began = time.perf_counter()
                post("/crm/v3/objects/contacts", {"properties": {"email": f"w{len(waits)}@x.org"}})
                waits.append(time.perf_counter() - began)
            thread.join()
        print(f"  {len(waits)} contacts created: {statistics.median(waits) * 1000:.0f}ms median, "
              f"{max(waits) * 1000:.0f}ms at most")  # fmt: skip


if __name__ == "__main__":
    main()
