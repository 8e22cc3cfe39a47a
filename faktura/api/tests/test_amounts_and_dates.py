"""Amounts and dates through the API (DOC-4): exponent notation is not a number, dates outside
the window Faktura accepts are refused, the refusal names the format or the window, and
nothing is written."""

import pytest

from faktura.api.tests.conftest import ApiClient
from faktura.core.dates import latest_date
from faktura.payments.models import Payment
from faktura.sales.models import Deal, Product

pytestmark = pytest.mark.django_db

V1 = "/faktura/v1"
V3 = "/crm/v3/objects"


def refused(answer, phrase: str) -> None:
    assert answer.status_code == 400, answer.json()
    assert answer.json()["category"] == "VALIDATION_ERROR"
    assert phrase in answer.json()["message"]


# SPEC DOC-4
@pytest.mark.parametrize("amount", ["1e3", "1E3", "1.5e2", "2.5E+2"])
def test_a_payment_amount_in_exponent_notation_is_refused(api: ApiClient, open_invoice, amount):
    answer = api.post(f"{V1}/invoices/{open_invoice.pk}/payments", {"amount": amount})
    refused(answer, "uses exponent notation; write the number out, e.g. '1000'")
    assert not Payment.objects.exists()


# SPEC DOC-4
def test_a_payment_dated_1900_is_refused_with_the_window(api: ApiClient, open_invoice):
    answer = api.post(
        f"{V1}/invoices/{open_invoice.pk}/payments", {"amount": "100", "paidOn": "1900-01-01"}
    )
    refused(
        answer,
        "Payment date 1900-01-01 is outside the dates Faktura accepts "
        f"(2000-01-01 to {latest_date().isoformat()}). Check the year.",
    )
    assert not Payment.objects.exists()


# SPEC DOC-4
def test_a_commerce_payment_with_an_exponent_or_an_old_date_is_refused(api: ApiClient):
    for properties, phrase in (
        ({"hs_initial_amount": "1e3", "hs_initiated_date": "2026-01-05"}, "exponent notation"),
        ({"hs_initial_amount": "10", "hs_initiated_date": "1900-01-01"}, "Check the year"),
    ):
        refused(api.post(f"{V3}/commerce_payments", {"properties": properties}), phrase)
    assert not Payment.objects.exists()


# SPEC DOC-4
@pytest.mark.parametrize(
    ("name", "value"),
    [("hs_invoice_date", "1900-01-01"), ("hs_due_date", "2999-12-31")],
)
def test_invoice_dates_outside_the_window_are_refused(api: ApiClient, draft_invoice, name, value):
    answer = api.patch(f"{V3}/invoices/{draft_invoice.pk}", {"properties": {name: value}})
    refused(answer, f"{value} is outside the dates Faktura accepts")
    draft_invoice.refresh_from_db()
    assert draft_invoice.invoice_date.year > 2000
    assert draft_invoice.due_date.year < 2999


# SPEC DOC-4
def test_a_deals_close_date_and_a_products_price_are_checked_too(api: ApiClient):
    refused(
        api.post(f"{V3}/deals", {"properties": {"dealname": "Old", "closedate": "1900-01-01"}}),
        "Close date 1900-01-01 is outside the dates Faktura accepts",
    )
    refused(
        api.post(f"{V3}/products", {"properties": {"name": "Lamp", "price": "1e3"}}),
        "Unit price '1e3' uses exponent notation",
    )
    assert not Deal.objects.exists()
    assert not Product.objects.exists()
