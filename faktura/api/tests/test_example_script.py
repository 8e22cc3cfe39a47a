"""docs/examples/invoice_with_hubspot_client.py, run as a user runs it (its own process, the
token in the environment) against a live Faktura: the README promises it works unchanged."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from faktura.invoices.models import Invoice, InvoiceStatus

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = (
    Path(__file__).resolve().parents[3] / "docs" / "examples" / "invoice_with_hubspot_client.py"
)


def run_example(url: str, token: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FAKTURA_API_TOKEN"}
    env["FAKTURA_URL"] = url
    if token:
        env["FAKTURA_API_TOKEN"] = token
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_example_invoices_finalizes_pays_and_finds_the_invoice(live_server, token_for):
    done = run_example(live_server.url, token_for(name="example"))

    assert done.returncode == 0, done.stderr
    [invoice] = Invoice.objects.all()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.total == 1280
    assert f"Search found {invoice.number}: paid, balance due 0" in done.stdout

    # A second run finds the contact it created instead of making another.
    again = run_example(live_server.url, token_for(name="example again"))
    assert again.returncode == 0, again.stderr
    assert Invoice.objects.filter(status=InvoiceStatus.PAID).count() == 2
    assert {c.pk for i in Invoice.objects.all() for c in i.contacts.all()} == {
        invoice.contacts.get().pk
    }


def test_the_example_says_how_to_get_a_token_when_it_has_none(live_server):
    done = run_example(live_server.url, None)

    assert done.returncode == 2
    assert "create_api_token" in done.stderr
