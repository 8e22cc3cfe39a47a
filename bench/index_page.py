"""Time the invoice index page over many invoices: filtered, sorted, first and deep pages.

    uv run python bench/index_page.py                      # SQLite in a temporary folder
    uv run python bench/index_page.py --postgres           # a throwaway PostgreSQL 15
    DATABASE_URL=postgres://... uv run python bench/index_page.py   # an existing database
    uv run python bench/index_page.py --invoices 1000000 --runs 11

Generates the invoices with bulk_create (contacts, one line each, mixed statuses, dates and
totals), then requests each page through Django's test client as a signed-in user and prints
the median time of the whole request (query, count, prefetches and template).
"""

import argparse
import contextlib
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHUNK = 5_000


@contextlib.contextmanager
def database(postgres: bool, keep: str | None) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        data_dir = keep or stack.enter_context(tempfile.TemporaryDirectory())
        os.environ["FAKTURA_DATA_DIR"] = data_dir
        if not postgres:
            yield
            return
        from tests.postgres import running_postgres

        with running_postgres() as url:
            os.environ["DATABASE_URL"] = url
            yield


def generate(count: int) -> None:
    """`count` invoices over 2,000 contacts: 10% drafts, 55% open (some partly paid), 30%
    paid, 5% voided; invoice dates over two years; totals from 10 to 20,000."""
    from faktura.crm.models import Contact
    from faktura.invoices.models import Invoice, InvoiceContact, InvoiceLine
    from faktura.sales.models import LineNumber

    rng = random.Random(7)
    contacts = Contact.objects.bulk_create(
        Contact(first_name=f"First{n}", last_name=f"Last{n}", email=f"c{n}@example.com")
        for n in range(2_000)
    )
    today = dt.date.today()
    number = 0
    for start in range(0, count, CHUNK):
        batch = []
        for _ in range(min(CHUNK, count - start)):
            roll = rng.random()
            status = (
                "draft" if roll < 0.10 else "open" if roll < 0.65 else "paid" if roll < 0.95
                else "voided"
            )  # fmt: skip
            total = Decimal(rng.randint(1_000, 2_000_000)) / 100
            paid = total if status == "paid" else (
                (total / 2).quantize(Decimal("0.01")) if status == "open" and rng.random() < 0.2
                else Decimal(0)
            )  # fmt: skip
            invoice_date = today - dt.timedelta(days=rng.randint(0, 730))
            finalized = status != "draft"
            if finalized:
                number += 1
            batch.append(
                Invoice(
                    status=status,
                    number_seq=number if finalized else None,
                    number=f"INV-{number}" if finalized else None,
                    public_token=f"t{number:032d}" if finalized else None,
                    currency=rng.choice(["USD", "USD", "EUR", "NOK"]),
                    invoice_date=invoice_date,
                    due_date=invoice_date + dt.timedelta(days=30),
                    purchase_order_number=f"PO-{rng.randint(1, 99_999)}",
                    subtotal=total,
                    total=total,
                    amount_paid=paid,
                    balance_due=total - paid if status != "voided" else Decimal(0),
                    finalized_at=(
                        dt.datetime.combine(invoice_date, dt.time(12), tzinfo=dt.UTC)
                        if finalized
                        else None
                    ),
                )
            )
        made = Invoice.objects.bulk_create(batch)
        InvoiceContact.objects.bulk_create(
            InvoiceContact(invoice=invoice, contact=rng.choice(contacts)) for invoice in made
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                id=number,
                invoice=invoice,
                name="Consulting",
                quantity=Decimal(1),
                unit_price=invoice.total,
                amount=invoice.total,
                total=invoice.total,
            )
            for invoice, number in zip(made, LineNumber.objects.draw(len(made)), strict=True)
        )


def timed(client: object, label: str, url: str, runs: int) -> str:
    samples = []
    content = b""
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        samples.append(time.perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code)
        content = response.content
    rows = content.count(b"data-row-select aria-label")
    median = statistics.median(samples) * 1000
    print(f"{label:<52} {median:8.1f} ms median  ({rows} rows)", flush=True)
    return content.decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--data-dir", help="keep the SQLite data here and reuse it next time")
    args = parser.parse_args()
    postgres = args.postgres and not os.environ.get("DATABASE_URL")
    with database(postgres, args.data_dir):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.http import QueryDict
        from django.test import Client

        from faktura.accounts.models import Role, User
        from faktura.core.properties import object_types
        from faktura.invoices.models import Invoice
        from faktura.listings import queries
        from faktura.listings.state import state_from_query

        settings.ALLOWED_HOSTS = ["testserver"]
        call_command("migrate", verbosity=0)
        if not Invoice.objects.exists():
            began = time.perf_counter()
            generate(args.invoices)
            print(f"generated {args.invoices:,} invoices in {time.perf_counter() - began:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as a live database has them
        print(f"database: {connection.vendor}, {Invoice.objects.count():,} invoices")
        user, _ = User.objects.get_or_create(username="bench", defaults={"role": Role.VIEWER})
        client = Client()
        client.force_login(user)

        today = dt.date.today()
        # (open AND due before today) OR (paid AND total > 5,000), newest due date first.
        filtered = (
            f"f=0:hs_invoice_status:any_of:open&f=0:hs_due_date:before:{today.isoformat()}"
            "&f=1:hs_invoice_status:any_of:paid&f=1:hs_amount_billed:gt:5000"
            "&sort=-hs_due_date"
        )
        timed(client, "all invoices, first page", "/invoices/", args.runs)
        timed(client, "filtered AND/OR, sorted by due date", f"/invoices/?{filtered}", args.runs)

        # A page deep in the filtered list: the cursor of the row at the middle.
        state = state_from_query(object_types.get("invoices"), QueryDict(filtered))
        middle = queries.ordered(state).count() // 2
        row = queries.ordered(state)[middle]
        deep = queries.encode_cursor(queries.sort_key(state), row)
        timed(
            client,
            f"filtered, deep page (after row {middle:,})",
            f"/invoices/?{filtered}&after={deep}",
            args.runs,
        )
        timed(
            client,
            "filtered, previous page from the deep one",
            f"/invoices/?{filtered}&before={deep}",
            args.runs,
        )
        timed(
            client,
            "overdue (computed), sorted by total",
            "/invoices/?f=0:hs_is_overdue:true&sort=-hs_amount_billed",
            args.runs,
        )
        timed(
            client,
            "due in the last 30 days, balance > 1,000",
            "/invoices/?f=0:hs_due_date:last_days:30&f=0:hs_balance_due:gt:1000",
            args.runs,
        )
        timed(client, "sorted by invoice number", "/invoices/?sort=hs_number", args.runs)
        timed(
            client, "sorted by invoice number, last first", "/invoices/?sort=-hs_number", args.runs
        )
        by_number = state_from_query(object_types.get("invoices"), QueryDict("sort=-hs_number"))
        row = queries.ordered(by_number)[Invoice.objects.count() // 2]
        deep = queries.encode_cursor(queries.sort_key(by_number), row)
        timed(
            client,
            "by number, last first, a deep page",
            f"/invoices/?sort=-hs_number&after={deep}",
            args.runs,
        )
        timed(client, "quick search 'INV-4242'", "/invoices/?q=INV-4242", args.runs)
        timed(
            client,
            "quick search a contact 'First42 Last42'",
            "/invoices/?q=First42+Last42",
            args.runs,
        )
        timed(
            client,
            "quick search an email 'c42@example.com'",
            "/invoices/?q=c42@example.com",
            args.runs,
        )
        timed(client, "quick search an amount '1234.56'", "/invoices/?q=1234.56", args.runs)
        timed(client, "quick search that finds nothing 'zzz'", "/invoices/?q=zzz", args.runs)
        timed(
            client,
            "columns with contacts and line items",
            "/invoices/?cols=hs_number,hs_contacts,hs_line_items,hs_amount_billed",
            args.runs,
        )


if __name__ == "__main__":
    main()
