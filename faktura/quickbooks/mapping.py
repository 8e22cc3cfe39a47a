"""The QuickBooks JSON bodies of the documents Faktura creates (QB-1, QB-6, QB-9…QB-11): pure
functions of a Faktura record, its lines and the customer, items and accounts already matched,
so they are tested without a server.

No DocNumber is sent: QuickBooks numbers its documents (a company with custom transaction
numbers on would need one, and HubSpot asks users to turn that off). No TxnDate on sales
documents either: QuickBooks dates them today in the company's time zone, and the body stays the
same on a retry of the same step. Payments, expenses and refunds carry the payment's date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from faktura.payments.models import Payment
from faktura.quickbooks.models import DocumentKind
from faktura.sales.models import PricedLine

CENT = Decimal("0.01")
# QuickBooks keeps up to 7 decimals of a unit price.
UNIT_PRICE_PLACES = Decimal("0.0000001")
MEMO_LENGTH = 1000  # CustomerMemo's and PrivateNote's limit is 4000; a memo needs far less
DESCRIPTION_LENGTH = 4000
ENTITIES = {
    DocumentKind.INVOICE: "Invoice",
    DocumentKind.ESTIMATE: "Estimate",
    DocumentKind.SALES_RECEIPT: "SalesReceipt",
    DocumentKind.PAYMENT: "Payment",
    DocumentKind.EXPENSE: "Purchase",
    DocumentKind.REFUND_RECEIPT: "RefundReceipt",
}
SALES_KINDS = (DocumentKind.INVOICE, DocumentKind.ESTIMATE, DocumentKind.SALES_RECEIPT)
CREDIT_CARD = "Credit Card"  # the AccountType of a credit card account


@dataclass(frozen=True)
class MatchedLine:
    """A Faktura line and the QuickBooks item it was matched to."""

    line: PricedLine
    item: Mapping[str, Any]


def ref(value: str) -> dict[str, str]:
    return {"value": str(value)}


def _rounds_to(quantity: Decimal, unit_price: Decimal, amount: Decimal) -> bool:
    """Whether QuickBooks' check Amount = Qty × UnitPrice (to the cent) holds, either rounding."""
    product = quantity * unit_price
    return all(
        product.quantize(CENT, rounding=rounding) == amount.quantize(CENT)
        for rounding in (ROUND_HALF_UP, ROUND_HALF_EVEN)
    )


def sales_line(matched: MatchedLine, currency: str) -> dict[str, Any]:
    """One SalesItemLineDetail line: its Amount is the line's net amount (after its discount,
    before tax). QuickBooks refuses an Amount other than Qty × UnitPrice, so a discounted line
    carries the discounted unit price; when no unit price gives the amount, one of the amount."""
    line = matched.line
    net = line.amounts(currency).net
    quantity = line.quantity
    unit_price = line.unit_price
    if not _rounds_to(quantity, unit_price, net):
        unit_price = (net / quantity).quantize(UNIT_PRICE_PLACES)
    if not _rounds_to(quantity, unit_price, net):
        quantity, unit_price = Decimal(1), net
    detail: dict[str, Any] = {
        "ItemRef": {"value": str(matched.item["Id"]), "name": str(matched.item.get("Name", ""))},
        "Qty": quantity.normalize(),
        "UnitPrice": unit_price.normalize(),
    }
    return {
        "DetailType": "SalesItemLineDetail",
        "Amount": net,
        "Description": (line.description.strip() or line.name)[:DESCRIPTION_LENGTH],
        "SalesItemLineDetail": detail,
    }


def record_memo(record: models.Model, object_type: str, name: str) -> str:
    """What the document says it was made from: "Faktura deal 12: Difference engine"."""
    text = _("Faktura %(type)s %(id)s: %(name)s") % {
        "type": object_type,
        "id": record.pk,
        "name": name,
    }
    return text[:MEMO_LENGTH]


def sales_body(
    kind: str,
    *,
    customer_id: str,
    lines: Sequence[MatchedLine],
    currency: str,
    memo: str,
    term_id: str = "",
    deposit_account_id: str = "",
) -> dict[str, Any]:
    """An Invoice, Estimate, SalesReceipt or RefundReceipt. `term_id` only on an invoice;
    `deposit_account_id` only on receipts (where the money went or came from)."""
    body: dict[str, Any] = {
        "Line": [sales_line(matched, currency) for matched in lines],
        "CustomerMemo": {"value": memo},
        "PrivateNote": memo,
    }
    if customer_id:  # a receipt may have no customer
        body["CustomerRef"] = ref(customer_id)
    if term_id and kind == DocumentKind.INVOICE:
        body["SalesTermRef"] = ref(term_id)
    if deposit_account_id and kind in (DocumentKind.SALES_RECEIPT, DocumentKind.REFUND_RECEIPT):
        body["DepositToAccountRef"] = ref(deposit_account_id)
    return body


def payment_reference(payment: Payment) -> str:
    """The PaymentRefNum (QuickBooks keeps 21 characters): the reference, else the processor's."""
    return (payment.reference or payment.processor_payment_id or "")[:21]


def payment_body(
    payment: Payment,
    *,
    customer_id: str,
    invoice_id: str,
    memo: str,
    deposit_account_id: str = "",
) -> dict[str, Any]:
    """A Payment of the whole payment amount applied to the invoice just created for it."""
    body: dict[str, Any] = {
        "CustomerRef": ref(customer_id),
        "TotalAmt": payment.amount,
        "TxnDate": payment.paid_on.isoformat(),
        "PrivateNote": memo,
        "Line": [
            {
                "Amount": payment.amount,
                "LinkedTxn": [{"TxnId": str(invoice_id), "TxnType": "Invoice"}],
            }
        ],
    }
    if reference := payment_reference(payment):
        body["PaymentRefNum"] = reference
    if deposit_account_id:
        body["DepositToAccountRef"] = ref(deposit_account_id)
    return body


def payment_type(account: Mapping[str, Any]) -> str:
    """A Purchase's PaymentType by the account it is paid from: a credit card account's
    purchases are CreditCard, the rest (bank, other current asset) Cash."""
    return "CreditCard" if account.get("AccountType") == CREDIT_CARD else "Cash"


def expense_body(
    *,
    amount: Decimal,
    paid_on: str,
    payment_account: Mapping[str, Any],
    expense_account_id: str,
    vendor_id: str,
    memo: str,
) -> dict[str, Any]:
    """A Purchase (an expense) of `amount` to the vendor, paid from `payment_account`."""
    return {
        "PaymentType": payment_type(payment_account),
        "AccountRef": ref(str(payment_account["Id"])),
        "EntityRef": {"value": str(vendor_id), "type": "Vendor"},
        "TxnDate": paid_on,
        "PrivateNote": memo,
        "Line": [
            {
                "DetailType": "AccountBasedExpenseLineDetail",
                "Amount": amount,
                "Description": memo,
                "AccountBasedExpenseLineDetail": {"AccountRef": ref(expense_account_id)},
            }
        ],
    }
