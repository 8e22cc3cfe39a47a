"""Measure invoice PDF rendering (WeasyPrint, PDF/A-3b): a one-page invoice and a 200-line one,
with the demo logo and a tax ID in the seller's block.

    uv run python bench/pdf_render.py            # 20 renders each, after one warm-up render
    uv run python bench/pdf_render.py -n 50

Prints the median milliseconds per render, renders per second and the page count and size,
then the median time of a download that finds the stored PDF current.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["FAKTURA_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from pypdf import PdfReader

        from faktura.accounts.services import update_account_settings
        from faktura.core.actors import Actor
        from faktura.crm.services import create_contact
        from faktura.invoices import services
        from faktura.invoices.documents import invoice_html, invoice_pdf
        from faktura.invoices.pdf import pdf_from_html

        call_command("migrate", verbosity=0)
        actor = Actor.system("bench")
        logo = Path(__file__).resolve().parent.parent / "faktura" / "demo" / "logo.png"
        update_account_settings(
            actor=actor, company_logo=logo.read_bytes(), company_tax_id="US EIN 12-3456789"
        )
        ada = create_contact(actor=actor, firstname="Ada", lastname="Lovelace", email="a@x.org")
        line = {"name": "Consulting hour", "unit_price": "150.00", "quantity": "8"}
        for label, count in (("one-page invoice (15 lines)", 15), ("200-line invoice", 200)):
            lines = [{**line, "name": f"Consulting hour {n}"} for n in range(count)]
            draft = services.create_draft_invoice(actor=actor, contacts=[ada], lines=lines)
            invoice = services.finalize_invoice(draft, actor=actor)
            _, pdf = invoice_pdf(invoice)  # warm-up: fonts and templates load once; stores it
            median = _median(partial(lambda i: pdf_from_html(invoice_html(i)), invoice), args.n)
            stored = _median(partial(invoice_pdf, invoice), args.n)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            print(
                f"{label:<30} {median * 1000:7.0f} ms median  {1 / median:5.2f} renders/s  "
                f"{pages} page(s), {len(pdf) / 1024:.0f} KB; stored download "
                f"{stored * 1000:.1f} ms"
            )


def _median(run: Callable[[], object], times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


if __name__ == "__main__":
    main()
