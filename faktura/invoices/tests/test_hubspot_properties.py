"""The invoice properties HubSpot's clients read beside Faktura's own (reference §C5): the value
a record shows and the one the database filters and lists by are the same."""

import pytest

from faktura.core.actors import Actor
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice
from faktura.invoices.properties import INVOICE
from faktura.listings.filters import annotation_name

pytestmark = pytest.mark.django_db

NAMES = (
    "hs_pdf_download_link",
    "hs_language",
    "hs_invoice_source",
    "hs_amount_billed_in_company_currency",
)


def in_python_and_in_the_database(invoice: Invoice) -> tuple[dict, dict]:
    props = [INVOICE.property(name) for name in NAMES]
    listed = Invoice.objects.annotate(
        **{annotation_name(p): p.expression() for p in props if p.expression}
    ).get(pk=invoice.pk)
    read = {p.name: p.read(invoice) for p in props}
    stored = {p.name: getattr(listed, annotation_name(p)) for p in props}
    return read, stored


def test_an_issued_invoice_in_the_default_currency(account, contact):
    account(default_currency="NOK", invoice_public_domain="https://pay.example.no")
    draft = invoices.create_draft_invoice(
        actor=Actor.api(label="Accounting sync"),
        contacts=[contact],
        lines=[{"name": "Rådgivning", "unit_price": "1000", "quantity": "1"}],
        values={"hs_locale": "nb-NO"},
    )
    issued = invoices.finalize_invoice(draft, actor=Actor.system())
    read, stored = in_python_and_in_the_database(issued)
    assert read == stored
    assert read["hs_pdf_download_link"] == f"https://pay.example.no/i/{issued.public_token}/pdf/"
    assert read["hs_language"] == "nb"
    assert read["hs_invoice_source"] == "api"  # who created it, not who finalized it
    assert read["hs_amount_billed_in_company_currency"] == issued.total


def test_a_draft_in_another_currency(account, make_invoice):
    account(default_currency="NOK")
    draft = make_invoice(values={"hs_currency": "EUR", "hs_locale": "fi-FI"})
    read, stored = in_python_and_in_the_database(draft)
    assert read == stored
    assert read["hs_pdf_download_link"] is None
    assert read["hs_language"] == "fi"
    assert read["hs_invoice_source"] == "system"
    assert read["hs_amount_billed_in_company_currency"] is None
