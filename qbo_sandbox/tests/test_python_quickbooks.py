"""python-quickbooks and intuit-oauth, pointed at the sandbox by base URL only, work unchanged."""

from datetime import date, timedelta

import pytest
import requests
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import (
    AuthorizationException,
    ObjectNotFoundException,
    QuickbooksException,
)
from quickbooks.objects.customer import Customer
from quickbooks.objects.estimate import Estimate
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.payment import Payment
from quickbooks.objects.purchase import Purchase
from quickbooks.objects.refundreceipt import RefundReceipt
from quickbooks.objects.salesreceipt import SalesReceipt
from quickbooks.objects.vendor import Vendor

from qbo_sandbox.tests.conftest import quickbooks

SALES_LINE = {
    "Amount": 150.0,
    "DetailType": "SalesItemLineDetail",
    "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 3, "UnitPrice": 50},
}


def test_every_entity_faktura_uses_is_created_and_read(qb):
    customer = Customer.from_json(
        {
            "GivenName": "Ada",
            "FamilyName": "Lovelace",
            "DisplayName": "Ada Lovelace",
            "PrimaryEmailAddr": {"Address": "ada@example.com"},
        }
    )
    customer = customer.save(qb=qb)
    vendor = Vendor.from_json({"DisplayName": "Stripe"}).save(qb=qb)
    item = Item.from_json(
        {"Name": "Design", "Type": "Service", "Sku": "D-1", "IncomeAccountRef": {"value": "1"}}
    ).save(qb=qb)
    line = {
        **SALES_LINE,
        "SalesItemLineDetail": {"ItemRef": {"value": item.Id}, "Qty": 3, "UnitPrice": 50},
    }
    ref = {"value": customer.Id}
    invoice = Invoice.from_json({"CustomerRef": ref, "Line": [line]}).save(qb=qb)
    estimate = Estimate.from_json({"CustomerRef": ref, "Line": [line]}).save(qb=qb)
    receipt = SalesReceipt.from_json({"CustomerRef": ref, "Line": [line]}).save(qb=qb)
    payment = Payment.from_json(
        {
            "CustomerRef": ref,
            "TotalAmt": 150.0,
            "Line": [{"Amount": 150.0, "LinkedTxn": [{"TxnId": invoice.Id, "TxnType": "Invoice"}]}],
        }
    ).save(qb=qb)
    purchase = Purchase.from_json(
        {
            "PaymentType": "Check",
            "AccountRef": {"value": "35"},
            "EntityRef": {"value": vendor.Id, "type": "Vendor"},
            "Line": [
                {
                    "Amount": 4.65,
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "8"}},
                }
            ],
        }
    ).save(qb=qb)
    refund = RefundReceipt.from_json(
        {"CustomerRef": ref, "Line": [line], "DepositToAccountRef": {"value": "35"}}
    ).save(qb=qb)

    assert Customer.get(customer.Id, qb=qb).PrimaryEmailAddr.Address == "ada@example.com"
    assert Vendor.get(vendor.Id, qb=qb).DisplayName == "Stripe"
    assert Item.get(item.Id, qb=qb).Sku == "D-1"
    read = Invoice.get(invoice.Id, qb=qb)
    assert (read.TotalAmt, read.Balance) == (150.0, 0.0)  # paid in full by the payment
    assert read.DueDate == (date.fromisoformat(read.TxnDate) + timedelta(days=30)).isoformat()
    assert read.Line[0].SalesItemLineDetail.ItemRef.name == "Design"
    assert Estimate.get(estimate.Id, qb=qb).TxnStatus == "Pending"
    assert SalesReceipt.get(receipt.Id, qb=qb).DepositToAccountRef.name == "Undeposited Funds"
    assert Payment.get(payment.Id, qb=qb).UnappliedAmt == 0
    assert Purchase.get(purchase.Id, qb=qb).TotalAmt == 4.65
    assert RefundReceipt.get(refund.Id, qb=qb).TotalAmt == 150.0


def test_a_stale_sync_token_is_refused_with_5010(qb):
    customer = Customer.from_json({"DisplayName": "Grace Hopper"}).save(qb=qb)
    first = Customer.get(customer.Id, qb=qb)
    first.CompanyName = "Navy"
    first.save(qb=qb)

    stale = Customer.from_json(
        {"Id": customer.Id, "SyncToken": "0", "sparse": True, "CompanyName": "Yale"}
    )
    # python-quickbooks raises its base exception for codes 5000-9999.
    with pytest.raises(QuickbooksException) as refused:
        stale.save(qb=qb)
    assert refused.value.error_code == 5010
    assert Customer.get(customer.Id, qb=qb).CompanyName == "Navy"


def test_a_display_name_is_unique_across_customers_and_vendors(qb):
    Customer.from_json({"DisplayName": "Acme"}).save(qb=qb)
    with pytest.raises(QuickbooksException) as refused:
        Vendor.from_json({"DisplayName": "acme"}).save(qb=qb)
    assert refused.value.error_code == 6240


def test_an_unknown_id_is_610(qb):
    with pytest.raises(ObjectNotFoundException) as refused:
        Invoice.get("999", qb=qb)
    assert refused.value.error_code == 610


def test_an_expired_access_token_gets_the_lower_case_401(sandbox, auth, qb):
    requests.post(
        f"{sandbox.base_url}/control/tokens/expire", json={"realmId": auth.realm_id}, timeout=5
    )
    with pytest.raises(AuthorizationException):
        Customer.get("1", qb=qb)
    answer = requests.get(
        f"{sandbox.base_url}/v3/company/{auth.realm_id}/customer/1",
        headers={"Authorization": f"Bearer {auth.access_token}"},
        timeout=5,
    )
    assert answer.status_code == 401
    error = answer.json()["fault"]["error"][0]
    assert error["code"] == "3200"
    assert error["detail"].startswith("Token expired")
    assert answer.json()["fault"]["type"] == "AUTHENTICATION"

    auth.refresh()
    assert Customer.get("1", qb=quickbooks(sandbox, auth)).DisplayName == "Amy's Bird Sanctuary"


def test_each_refresh_rotates_the_refresh_token_and_the_old_one_expires_after_the_grace(
    sandbox, auth
):
    first = auth.refresh_token
    auth.refresh()
    second = auth.refresh_token
    assert second != first
    assert auth.expires_in == 3600

    auth.refresh(refresh_token=first)  # still within the grace period
    requests.post(f"{sandbox.base_url}/control/clock", json={"advance": 31}, timeout=5)
    with pytest.raises(AuthClientError) as refused:
        auth.refresh(refresh_token=first)
    assert refused.value.status_code == 400
    assert refused.value.response.json()["error"] == "invalid_grant"
    auth.refresh(refresh_token=auth.refresh_token)


def test_a_revoked_connection_is_refused(sandbox, auth, qb):
    assert auth.revoke() is True
    with pytest.raises(AuthorizationException):
        Customer.get("1", qb=qb)
    with pytest.raises(AuthClientError):
        auth.refresh()
