"""The QuickBooks bodies of Faktura's documents, without a server (QB-1, QB-6, QB-9, QB-10)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from faktura.payments.models import Payment
from faktura.quickbooks import mapping
from faktura.quickbooks.mapping import MatchedLine
from faktura.quickbooks.models import DocumentKind
from faktura.sales.models import Deal, LineItem

ITEM = {"Id": "7", "Name": "Gear set"}


def line(**values: object) -> MatchedLine:
    fields: dict[str, object] = {"name": "Gear set", "unit_price": Decimal("120"), **values}
    return MatchedLine(LineItem(**fields), ITEM)


def detail(body: dict[str, object]) -> dict[str, object]:
    return body["SalesItemLineDetail"]  # type: ignore[return-value]


def test_a_line_is_its_quantity_price_and_net_amount() -> None:  # SPEC QB-1
    body = mapping.sales_line(line(quantity=Decimal("3"), description="Brass"), "USD")
    assert body["Amount"] == Decimal("360.00")
    assert body["Description"] == "Brass"
    assert detail(body) == {
        "ItemRef": {"value": "7", "name": "Gear set"},
        "Qty": Decimal(3),
        "UnitPrice": Decimal(120),
    }


def test_a_discounted_line_carries_its_amount_after_the_discount() -> None:  # SPEC QB-1
    percent = mapping.sales_line(
        line(quantity=Decimal(3), unit_price=Decimal(10), discount_value=Decimal(10)), "USD"
    )
    assert percent["Amount"] == Decimal("27.00")
    assert (detail(percent)["Qty"], detail(percent)["UnitPrice"]) == (Decimal(3), Decimal(9))
    # 100.00 × 3 less 0.01: no price to 7 decimals gives 299.99 exactly, but rounds to it.
    fixed = mapping.sales_line(
        line(quantity=Decimal(3), unit_price=Decimal(100), discount_type="fixed",
             discount_value=Decimal("0.01")), "USD",
    )  # fmt: skip
    assert fixed["Amount"] == Decimal("299.99")
    qty, price = detail(fixed)["Qty"], detail(fixed)["UnitPrice"]
    assert (Decimal(str(qty)) * Decimal(str(price))).quantize(Decimal("0.01")) == Decimal("299.99")


def test_the_description_falls_back_to_the_name() -> None:
    assert mapping.sales_line(line(), "USD")["Description"] == "Gear set"


def test_terms_only_on_invoices_and_the_account_only_on_receipts() -> None:  # SPEC QB-6
    def body(kind: str, **given: str) -> dict[str, Any]:
        return mapping.sales_body(
            kind, customer_id="5", lines=[line()], currency="USD", memo="Faktura deal 1", **given
        )

    invoice = body(DocumentKind.INVOICE, term_id="3", deposit_account_id="35")
    estimate = body(DocumentKind.ESTIMATE, term_id="3")
    receipt = body(DocumentKind.SALES_RECEIPT, deposit_account_id="35")
    assert invoice["SalesTermRef"] == {"value": "3"}
    assert "DepositToAccountRef" not in invoice
    assert "SalesTermRef" not in estimate
    assert receipt["DepositToAccountRef"] == {"value": "35"}
    for made in (invoice, estimate, receipt):
        assert made["CustomerRef"] == {"value": "5"}
        assert made["CustomerMemo"] == {"value": "Faktura deal 1"}
        # QuickBooks numbers and dates its documents (no custom transaction numbers needed).
        assert "DocNumber" not in made
        assert "TxnDate" not in made


def test_a_receipt_without_a_customer() -> None:
    body = mapping.sales_body(
        DocumentKind.REFUND_RECEIPT, customer_id="", lines=[line()], currency="USD", memo="m",
        deposit_account_id="35",
    )  # fmt: skip
    assert "CustomerRef" not in body


def test_the_memo_names_the_record() -> None:
    deal = Deal(pk=12, name="Difference engine")
    assert mapping.record_memo(deal, "deal", deal.name) == "Faktura deal 12: Difference engine"


def test_a_payment_is_applied_to_its_invoice() -> None:  # SPEC QB-9
    payment = Payment(
        amount=Decimal("420.00"), currency="USD", paid_on=dt.date(2026, 3, 4),
        processor="byo_stripe", processor_payment_id="pi_3NqExampleLongerThan21",
    )  # fmt: skip
    body = mapping.payment_body(
        payment, customer_id="5", invoice_id="130", memo="m", deposit_account_id="35"
    )
    assert body["TotalAmt"] == Decimal("420.00")
    assert body["TxnDate"] == "2026-03-04"
    assert body["Line"] == [
        {"Amount": Decimal("420.00"), "LinkedTxn": [{"TxnId": "130", "TxnType": "Invoice"}]}
    ]
    assert body["PaymentRefNum"] == "pi_3NqExampleLongerTh"  # QuickBooks keeps 21
    assert body["DepositToAccountRef"] == {"value": "35"}
    assert "DepositToAccountRef" not in mapping.payment_body(
        payment, customer_id="5", invoice_id="130", memo="m"
    )


def test_an_expense_is_paid_by_card_or_cash_by_the_account_type() -> None:  # SPEC QB-10
    card = {"Id": "41", "AccountType": "Credit Card"}
    body = mapping.expense_body(
        amount=Decimal("12.48"), paid_on="2026-03-04", payment_account=card,
        expense_account_id="8", vendor_id="56", memo="fee",
    )  # fmt: skip
    assert body["PaymentType"] == "CreditCard"
    assert body["AccountRef"] == {"value": "41"}
    assert body["EntityRef"] == {"value": "56", "type": "Vendor"}
    assert body["Line"] == [
        {
            "DetailType": "AccountBasedExpenseLineDetail",
            "Amount": Decimal("12.48"),
            "Description": "fee",
            "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "8"}},
        }
    ]
    assert mapping.payment_type({"Id": "35", "AccountType": "Bank"}) == "Cash"
