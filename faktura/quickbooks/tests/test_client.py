"""The client against the sandbox process, in this process: what it retries and what it does
not (QB-12), and writes made once however often they are sent (QB-13)."""

from decimal import Decimal
from typing import Any

import pytest

from faktura.quickbooks.client import QuickBooksClient, quote
from faktura.quickbooks.errors import QuickBooksError
from faktura.quickbooks.models import QuickBooksConnection
from tests.qbo import Sandbox

pytestmark = pytest.mark.django_db


def calls_to(sandbox: Sandbox, connection: QuickBooksConnection) -> int:
    """How many API calls the sandbox let in for the company."""
    return len(sandbox.traffic()["started"].get(connection.realm_id, []))


def invoice(customer_id: str) -> dict[str, Any]:
    return {
        "CustomerRef": {"value": customer_id},
        "Line": [
            {
                "Amount": Decimal("42.00"),
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1},
            }
        ],
    }


def test_a_server_error_is_retried_and_the_call_succeeds(
    sandbox: Sandbox, connection: QuickBooksConnection
) -> None:  # SPEC QB-12
    sandbox.control("faults", {"kind": "error", "status": 503, "realm": connection.realm_id})
    before = calls_to(sandbox, connection)
    assert QuickBooksClient(connection).company_info()["CompanyName"]
    assert calls_to(sandbox, connection) == before + 2


def test_a_validation_fault_is_not_retried_and_says_what_failed_where_and_what_to_do(
    sandbox: Sandbox, connection: QuickBooksConnection
) -> None:  # SPEC QB-12
    before = calls_to(sandbox, connection)
    with pytest.raises(QuickBooksError) as refused:
        QuickBooksClient(connection).create("Invoice", invoice("999999"), request_id="bad-ref")
    error = refused.value
    assert calls_to(sandbox, connection) == before + 1
    assert not error.retryable
    assert error.status == 400
    assert error.code == "2500"
    assert error.message.startswith("Creating the Invoice failed. QuickBooks said: Invalid Ref")
    assert "CustomerRef Id 999999 does not exist" in error.message
    assert "(field CustomerRef)" in error.message
    assert "choose another one in Settings → QuickBooks" in error.message


def test_a_create_sent_twice_with_one_requestid_makes_one_document(
    sandbox: Sandbox, connection: QuickBooksConnection
) -> None:  # SPEC QB-13
    client = QuickBooksClient(connection)
    first = client.create("Customer", {"DisplayName": "Once Ltd"}, request_id="once-ltd")
    again = client.create("Customer", {"DisplayName": "Once Ltd"}, request_id="once-ltd")
    assert again == first
    query = f"SELECT COUNT(*) FROM Customer WHERE DisplayName = {quote('Once Ltd')}"
    assert client.count(query) == 1


def test_a_create_whose_answer_is_lost_is_retried_and_makes_one_document(
    sandbox: Sandbox, connection: QuickBooksConnection
) -> None:  # SPEC QB-13
    client = QuickBooksClient(connection)
    customer = client.create("Customer", {"DisplayName": "Dropped AS"}, request_id="dropped-as")
    # QuickBooks commits the invoice, then the connection closes before the answer.
    sandbox.control(
        "faults",
        {"kind": "drop", "realm": connection.realm_id, "path": "invoice", "method": "POST"},
    )
    before = calls_to(sandbox, connection)
    created = client.create("Invoice", invoice(customer["Id"]), request_id="dropped-invoice")
    assert calls_to(sandbox, connection) == before + 2
    assert created["CustomerRef"]["value"] == customer["Id"]
    assert created["TotalAmt"] == Decimal("42.00")
    query = f"SELECT COUNT(*) FROM Invoice WHERE CustomerRef = {quote(customer['Id'])}"
    assert client.count(query) == 1


def test_a_write_refused_once_goes_out_under_a_new_requestid_after_the_fix(
    sandbox: Sandbox, connection: QuickBooksConnection
) -> None:  # SPEC QB-13
    client = QuickBooksClient(connection)
    # The sandbox answers a repeated requestid with its first answer, a refusal included.
    with pytest.raises(QuickBooksError):
        client.create("Invoice", invoice("999999"), request_id="fix-then-retry")
    invoices = client.count("SELECT COUNT(*) FROM Invoice")
    fixed = client.create("Invoice", invoice("1"), request_id="fix-then-retry")
    assert fixed["CustomerRef"]["value"] == "1"
    # And the fixed write is itself exactly once.
    assert client.create("Invoice", invoice("1"), request_id="fix-then-retry") == fixed
    assert client.count("SELECT COUNT(*) FROM Invoice") == invoices + 1
