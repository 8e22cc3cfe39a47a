"""Connecting a company through OAuth 2 and calling QuickBooks with its tokens (QB-14)."""

from decimal import Decimal

import pytest

from faktura.core.actors import Actor
from faktura.core.encryption import decrypt
from faktura.history.models import Entry
from faktura.quickbooks.client import QuickBooksClient, quote
from faktura.quickbooks.models import ConnectionStatus, QuickBooksConnection
from faktura.quickbooks.tests.conftest import connect
from tests.qbo import Sandbox

pytestmark = pytest.mark.django_db


def test_connecting_stores_encrypted_tokens_and_reads_the_company(
    sandbox: Sandbox, admin: Actor
) -> None:  # SPEC QB-14
    connection = connect(sandbox, admin, company_name="Bergen Bikes Inc")
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED
    assert connection.company_name == "Bergen Bikes Inc"
    assert connection.country == "US"
    # Stored encrypted: the token in the row is not the token QuickBooks accepts.
    access = decrypt(connection.access_token)
    assert access not in connection.access_token
    assert decrypt(connection.refresh_token) not in connection.refresh_token
    assert connection.access_expires_at is not None
    assert Entry.objects.filter(
        object_type="quickbooks_connection",
        object_id=connection.pk,
        event_type="quickbooks.connected",
    ).exists()


def test_client_reads_queries_and_creates_with_decimal_money(
    connection: QuickBooksConnection,
) -> None:
    client = QuickBooksClient(connection)
    customer = client.create(
        "Customer", {"DisplayName": "O'Brien & Sons"}, request_id="test-customer-1"
    )
    found = client.query(
        f"SELECT * FROM Customer WHERE DisplayName = {quote(customer['DisplayName'])}"
    )
    assert [row["Id"] for row in found] == [customer["Id"]]
    invoice = client.create(
        "Invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": [
                {
                    "Amount": Decimal("10.10"),
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": "1"},
                        "Qty": 1,
                        "UnitPrice": Decimal("10.10"),
                    },
                }
            ],
        },
        request_id="test-invoice-1",
    )
    assert invoice["TotalAmt"] == Decimal("10.10")
    assert client.read("Invoice", invoice["Id"])["Balance"] == Decimal("10.10")
