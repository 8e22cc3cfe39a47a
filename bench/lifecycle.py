"""Measure the invoice lifecycle services: create draft, finalize, record payment.

    uv run python bench/lifecycle.py                # SQLite in a temporary data folder
    uv run python bench/lifecycle.py --postgres     # a throwaway PostgreSQL 15 on 127.0.0.1

Prints milliseconds per operation (median) and operations per second, one line each.
"""

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(label: str, count: int, run: Callable[[int], object]) -> None:
    samples = []
    started = time.perf_counter()
    for index in range(count):
        begin = time.perf_counter()
        run(index)
        samples.append(time.perf_counter() - begin)
    total = time.perf_counter() - started
    median_ms = statistics.median(samples) * 1000
    print(f"{label:<38} {median_ms:7.2f} ms median  {count / total:8.1f} ops/s")


@contextlib.contextmanager
def database(postgres: bool) -> Iterator[None]:
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["FAKTURA_DATA_DIR"] = data_dir
        if not postgres:
            yield
            return
        from tests.postgres import running_postgres

        with running_postgres() as url:
            os.environ["DATABASE_URL"] = url
            yield


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("-n", type=int, default=300)
    args = parser.parse_args()
    with database(args.postgres):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from faktura.core.actors import Actor
        from faktura.crm.services import create_contact
        from faktura.invoices import invoice_payments, services

        call_command("migrate", verbosity=0)
        actor = Actor.system("bench")
        ada = create_contact(actor=actor, firstname="Ada", email="ada@example.com")
        line = {"name": "Hour", "unit_price": "150.00", "quantity": "8", "tax_rate": "25"}
        lines = [line, {**line, "name": "Licence", "discount_value": "10"}]
        print(f"database: {connection.vendor}, n={args.n}")
        drafts = []
        timed("create draft (2 lines)", args.n, lambda _: drafts.append(
            services.create_draft_invoice(actor=actor, contacts=[ada], lines=lines)))  # fmt: skip
        half = args.n // 2
        timed(
            "finalize (1 thread)", half, lambda i: services.finalize_invoice(drafts[i], actor=actor)
        )

        def pay(i: int) -> object:
            return invoice_payments.record_invoice_payment(drafts[i], actor=actor, amount="100.00")

        timed("record payment (partial)", half, pay)
        rest = drafts[half:]

        def finalize(invoice: object) -> None:
            services.finalize_invoice(invoice, actor=actor)  # type: ignore[arg-type]
            connection.close()

        if connection.vendor == "postgresql":
            began = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(finalize, rest))
            elapsed = time.perf_counter() - began
            print(f"{'finalize (8 threads)':<38} {len(rest) / elapsed:8.1f} ops/s")


if __name__ == "__main__":
    main()
