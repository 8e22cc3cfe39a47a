"""Payments through the API need the payments write scope, and what changes an invoice needs
the invoice write scope as well (issue 13 item 4): deleting a payment applied to an invoice,
applying a payment to one, or moving a line item onto one."""

import pytest

from faktura.api.tests.conftest import ApiClient
from faktura.invoices import invoice_payments
from faktura.payments import services as payments
from faktura.payments.models import Payment
from faktura.sales import services as sales

pytestmark = pytest.mark.django_db

V3 = "/crm/v3/objects"
V4 = "/crm/v4/objects"
PAYMENTS_WRITE = "crm.objects.commercepayments.write"
INVOICES_READ = "crm.objects.invoices.read"
INVOICES_WRITE = "crm.objects.invoices.write"


@pytest.fixture
def payments_only(client, token_for):
    """A token that writes payments and only reads invoices."""
    return ApiClient(
        client, token_for(PAYMENTS_WRITE, "crm.objects.commercepayments.read", INVOICES_READ)
    )


def missing(answer) -> list[str]:
    assert answer.status_code == 403, answer.content.decode()
    body = answer.json()
    assert body["category"] == "MISSING_SCOPES"
    return body["errors"][0]["context"]["requiredGranularScopes"]


# SPEC INV-13
def test_deleting_an_applied_payment_needs_invoice_write_too(
    client, token_for, system, open_invoice
):
    applied = invoice_payments.record_invoice_payment(open_invoice, actor=system, amount="50")
    loose = payments.create_manual_payment(actor=system, amount="30", currency="USD")
    api = ApiClient(client, token_for(PAYMENTS_WRITE, INVOICES_READ))

    assert missing(api.delete(f"{V3}/commerce_payments/{applied.pk}")) == [INVOICES_WRITE]
    assert Payment.objects.filter(pk=applied.pk).exists()
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == 50

    assert api.delete(f"{V3}/commerce_payments/{loose.pk}").status_code == 204

    both = ApiClient(client, token_for(PAYMENTS_WRITE, INVOICES_WRITE, name="both"))
    assert both.delete(f"{V3}/commerce_payments/{applied.pk}").status_code == 204
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == 0


def test_payments_are_not_written_without_the_payments_write_scope(client, token_for, system):
    loose = payments.create_manual_payment(actor=system, amount="30", currency="USD")
    api = ApiClient(client, token_for("crm.objects.commercepayments.read", INVOICES_WRITE))
    new = {"properties": {"hs_initial_amount": "10", "hs_initiated_date": "2026-01-05"}}
    assert missing(api.post(f"{V3}/commerce_payments", new)) == [PAYMENTS_WRITE]
    assert missing(api.delete(f"{V3}/commerce_payments/{loose.pk}")) == [PAYMENTS_WRITE]
    assert Payment.objects.count() == 1


def test_applying_a_payment_to_an_invoice_needs_invoice_write(payments_only, system, open_invoice):
    loose = payments.create_manual_payment(actor=system, amount="30", currency="USD")
    path = f"{V4}/commerce_payments/{loose.pk}/associations/default/invoices/{open_invoice.pk}"
    assert missing(payments_only.call("put", path)) == [INVOICES_WRITE]
    new = {
        "properties": {"hs_initial_amount": "10", "hs_initiated_date": "2026-01-05"},
        "associations": [
            {
                "to": {"id": str(open_invoice.pk)},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 542}],
            }
        ],
    }
    assert missing(payments_only.post(f"{V3}/commerce_payments", new)) == [INVOICES_WRITE]
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == 0
    assert Payment.objects.count() == 1


def test_moving_a_line_item_onto_an_invoice_needs_invoice_write(
    client, token_for, system, draft_invoice
):
    item = sales.create_line_item(
        actor=system, values={"name": "Oil", "unit_price": "5", "quantity": "1"}
    )
    api = ApiClient(client, token_for("crm.objects.line_items.write", INVOICES_READ))
    path = f"{V4}/line_items/{item.pk}/associations/default/invoices/{draft_invoice.pk}"
    assert missing(api.call("put", path)) == [INVOICES_WRITE]
    assert draft_invoice.lines.count() == 1
