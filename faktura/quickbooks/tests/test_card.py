"""The "QuickBooks" card on deal, quote and payment pages (QB-1, QB-9)."""

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.utils.html import escape

from faktura.accounts.models import User
from faktura.core.actors import Actor
from faktura.invoices import invoice_payments
from faktura.invoices.models import Invoice
from faktura.quickbooks import documents, links
from faktura.quickbooks.models import DocumentKind, QuickBooksConnection
from faktura.quickbooks.tests.conftest import new_item
from faktura.sales.models import Deal

pytestmark = pytest.mark.django_db


def card(client: Any, url: str) -> str | None:
    """The card's HTML on the page at `url`; None when the page has none."""
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    start = html.find('data-testid="record-quickbooks"')
    return None if start < 0 else html[start : html.index("</section>", start)]


def rows(html: str) -> list[str]:
    return [" ".join(row.split()) for row in html.split("<li ")[1:]]


def test_a_deals_documents_are_listed_with_a_link_to_quickbooks(
    qb: Any, connection: QuickBooksConnection, deal: Deal, admin: Actor, viewer_user: User,
    signed_in: Callable[[User], Any], settings: Any,
) -> None:  # fmt: skip  # SPEC QB-1
    for name in ("Gear set", "Assembly"):
        new_item(qb, name)
    client = signed_in(viewer_user)
    assert card(client, deal.get_absolute_url()) is None  # nothing made yet: no card
    made = documents.create_sales_document(
        connection=connection, record=deal, kind=DocumentKind.INVOICE, actor=admin,
        request_key="wf1-e1-s1",
    )  # fmt: skip
    shown = card(client, deal.get_absolute_url())
    assert shown is not None
    [row] = rows(shown)
    assert f'data-quickbooks-document="{made.pk}"' in row
    assert f"Invoice {made.doc_number}" in row
    assert "420.00 USD" in row
    assert f"In {escape(connection.company_name)}, created" in row
    url = f"{settings.QUICKBOOKS_APP_URL}/companies/{connection.realm_id}"
    assert f'<a href="{url}" target="_blank" rel="noopener">Open in QuickBooks' in row


def test_a_payments_documents_are_on_its_page(
    qb: Any, connection: QuickBooksConnection, make_invoice: Callable[..., Invoice],
    system: Actor, admin: Actor, viewer_user: User, signed_in: Callable[[User], Any],
) -> None:  # fmt: skip  # SPEC QB-9
    for name in ("Gear set", "Assembly"):
        new_item(qb, name)
    invoice = make_invoice(
        finalized=True,
        lines=[{"name": "Gear set", "unit_price": "120.00", "quantity": "3"},
               {"name": "Assembly", "unit_price": "60.00"}],
    )  # fmt: skip
    payment = invoice_payments.record_invoice_payment(invoice, actor=system, amount="420.00")
    made = documents.create_paid_invoice(
        connection=connection, payment=payment, actor=admin, request_key="wf2-e1-s1"
    )
    client = signed_in(viewer_user)
    shown = card(client, payment.get_absolute_url())
    assert shown is not None
    invoice_row, payment_row = rows(shown)
    assert f'<span class="fw-semibold">Invoice {made[0].doc_number}</span>' in invoice_row
    assert '<span class="fw-semibold">Payment</span>' in payment_row
    # The payment's edit log says what was made, in the words QuickBooks' app stored.
    page = html.unescape(client.get(payment.get_absolute_url()).content.decode())
    assert f"Created QuickBooks invoice {made[0].doc_number} (420.00 USD) in " in page


def test_intuits_app_opens_each_document_by_its_page(
    connection: QuickBooksConnection, settings: Any
) -> None:
    settings.QUICKBOOKS_APP_URL = "https://app.qbo.intuit.com"
    pages = {
        "Invoice": "invoice", "Estimate": "estimate", "SalesReceipt": "salesreceipt",
        "Payment": "recvpayment", "Purchase": "expense", "RefundReceipt": "refundreceipt",
    }  # fmt: skip
    for entity, page in pages.items():
        document = documents.QuickBooksDocument(connection=connection, entity=entity, qbo_id="42")
        assert links.document_url(document) == (f"https://app.qbo.intuit.com/app/{page}?txnId=42")
