"""Transactions' server-computed fields: lines, TotalAmt, Balance, DueDate, DocNumber, addresses."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from qbo_sandbox import faults
from qbo_sandbox.clock import company_today
from qbo_sandbox.companies import UNDEPOSITED_FUNDS, USD
from qbo_sandbox.store import Store

SALES = ("Invoice", "Estimate", "SalesReceipt", "RefundReceipt")
TRANSACTIONS = (*SALES, "Payment", "Purchase")
VOIDABLE = ("Invoice", "SalesReceipt", "Payment")
REQUIRED = {
    "Invoice": ("CustomerRef", "Line"),
    "Estimate": ("CustomerRef", "Line"),
    "SalesReceipt": ("Line",),
    "RefundReceipt": ("Line", "DepositToAccountRef"),
    "Payment": ("CustomerRef", "TotalAmt"),
    "Purchase": ("PaymentType", "AccountRef", "Line"),
}
REFERS_TO = {
    "CustomerRef": "Customer",
    "ParentRef": "Customer",
    "ItemRef": "Item",
    "AccountRef": "Account",
    "IncomeAccountRef": "Account",
    "ExpenseAccountRef": "Account",
    "AssetAccountRef": "Account",
    "DepositToAccountRef": "Account",
    "SalesTermRef": "Term",
    "PaymentMethodRef": "PaymentMethod",
    "VendorRef": "Vendor",
    "TaxCodeRef": "TaxCode",
}
# The account a Purchase is paid from, by PaymentType.
PAID_FROM = {
    "Check": ("Bank",),
    "CreditCard": ("Credit Card",),
    "Cash": ("Bank", "Other Current Asset", "Credit Card"),
}
CENT = Decimal("0.01")


def money(value: Any, element: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise faults.validation(
            "2080", "Illegal number format", f"Illegal number format : {value}", element
        )
    return amount


def number(amount: Decimal) -> float:
    return float(amount.quantize(CENT))


def referred(
    store: Store, realm: str, field: str, ref: Any, entity: str | None = None
) -> dict[str, Any]:
    """A reference checked against the company (2500 unknown, 610 inactive), its name filled."""
    if not isinstance(ref, dict) or "value" not in ref:
        raise faults.required_missing(f"{field}.value")
    value = str(ref["value"])
    if field == "TaxCodeRef" and value in ("TAX", "NON"):
        return {"value": value}
    candidates = (entity,) if entity else (REFERS_TO[field],)
    for candidate in candidates:
        row = store.get(realm, candidate, value)
        if row is None:
            continue
        if row.get("Active") is False:
            raise faults.not_found()
        name = row.get("DisplayName") or row.get("Name")
        return {"value": value, "name": name} if name else {"value": value}
    raise faults.invalid_reference(field, value)


def completed(
    store: Store, realm: str, entity: str, body: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    for field in REQUIRED[entity]:
        if field not in body or body[field] in ([], {}):
            raise faults.required_missing(field)
    body.setdefault("TxnDate", company_today().isoformat())
    body.setdefault("CurrencyRef", USD)
    customer: dict[str, Any] | None = None
    if "CustomerRef" in body:
        body["CustomerRef"] = referred(store, realm, "CustomerRef", body["CustomerRef"])
        customer = store.get(realm, "Customer", body["CustomerRef"]["value"])
    for field in ("PaymentMethodRef", "DepositToAccountRef", "SalesTermRef"):
        if field in body:
            body[field] = referred(store, realm, field, body[field])
    if entity in SALES:
        return sales(store, realm, entity, body, existing, customer)
    if entity == "Payment":
        return payment(store, realm, body)
    return purchase(store, realm, body, existing)


def sales(
    store: Store,
    realm: str,
    entity: str,
    body: dict[str, Any],
    existing: dict[str, Any] | None,
    customer: dict[str, Any] | None,
) -> dict[str, Any]:
    lines, subtotal, discount = sales_lines(store, realm, body["Line"], existing)
    total_tax = money(body.get("TxnTaxDetail", {}).get("TotalTax", 0), "TxnTaxDetail.TotalTax")
    total = subtotal - discount + total_tax
    body["Line"] = [
        *lines,
        {"Amount": number(subtotal), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
    ]
    body["TxnTaxDetail"] = {**body.get("TxnTaxDetail", {}), "TotalTax": number(total_tax)}
    body["TotalAmt"] = number(total)
    if customer is not None:
        # Each address the customer has, none it lacks (QBO's recorded receipts and invoices).
        for field in ("BillAddr", "ShipAddr"):
            if field not in body and field in customer:
                body[field] = customer[field]
    doc_number(store, realm, entity, body, existing)
    defaults: dict[str, Any] = {
        "PrintStatus": "NotSet",
        "EmailStatus": "NotSet",
        "ApplyTaxAfterDiscount": False,
    }
    if entity == "Invoice":
        body.setdefault("DueDate", due_date(store, realm, body, customer))
        defaults |= {
            "AllowIPNPayment": False,
            "AllowOnlinePayment": False,
            "AllowOnlineCreditCardPayment": False,
            "AllowOnlineACHPayment": False,
            "LinkedTxn": [],
            "Balance": number(total),
        }
    if entity == "Estimate":
        defaults |= {"TxnStatus": "Pending", "LinkedTxn": []}
    if entity in ("SalesReceipt", "RefundReceipt"):
        body["Balance"] = 0
        body.setdefault(
            "DepositToAccountRef",
            referred(store, realm, "DepositToAccountRef", {"value": UNDEPOSITED_FUNDS}),
        )
    return {**defaults, **body}


def sales_lines(
    store: Store, realm: str, given: Any, existing: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], Decimal, Decimal]:
    """Numbered lines, their subtotal and discount; a line without Id gets a new one."""
    if not isinstance(given, list):
        raise faults.required_missing("Line")
    old_ids = [
        int(line["Id"])
        for line in (existing or {}).get("Line", [])
        if str(line.get("Id", "")).isdigit()
    ]
    next_id = max(old_ids, default=0) + 1
    lines: list[dict[str, Any]] = []
    subtotal = Decimal(0)
    discounts: list[dict[str, Any]] = []
    for line in given:
        kind = line.get("DetailType")
        if kind == "SubTotalLineDetail":
            continue
        if kind is None:
            raise faults.required_missing("Line.DetailType")
        line = dict(line)
        if not str(line.get("Id", "")).isdigit():
            line["Id"] = str(next_id)
            next_id += 1
        line["LineNum"] = len(lines) + 1
        if kind == "SalesItemLineDetail":
            subtotal += item_line(store, realm, line)
        elif kind == "DiscountLineDetail":
            discounts.append(line)
        elif kind != "DescriptionOnly":
            subtotal += money(line.get("Amount", 0), "Line.Amount")
        lines.append(line)
    discount = Decimal(0)
    for line in discounts:
        detail = line.get("DiscountLineDetail", {})
        if detail.get("PercentBased"):
            percent = money(detail.get("DiscountPercent", 0), "Line.DiscountPercent")
            amount = (subtotal * percent / 100).quantize(CENT)
        else:
            amount = money(line.get("Amount", 0), "Line.Amount")
        line["Amount"] = number(amount)
        discount += amount
    return lines, subtotal, discount


def item_line(store: Store, realm: str, line: dict[str, Any]) -> Decimal:
    detail = dict(line.get("SalesItemLineDetail", {}))
    if "ItemRef" in detail:
        detail["ItemRef"] = referred(store, realm, "ItemRef", detail["ItemRef"])
    detail["TaxCodeRef"] = referred(
        store, realm, "TaxCodeRef", detail.get("TaxCodeRef", {"value": "NON"})
    )
    quantity, price = detail.get("Qty"), detail.get("UnitPrice")
    if "Amount" not in line:
        if quantity is None or price is None:
            raise faults.required_missing("Line.Amount")
        line["Amount"] = number(money(quantity, "Qty") * money(price, "UnitPrice"))
    amount = money(line["Amount"], "Line.Amount")
    # python-quickbooks sends Qty 0 and UnitPrice 0 by default, which QBO accepts with any Amount.
    if quantity and price:
        expected = (money(quantity, "Qty") * money(price, "UnitPrice")).quantize(CENT)
        if expected != amount.quantize(CENT):
            raise faults.amount_mismatch(line["Amount"], number(expected))
    line["SalesItemLineDetail"] = detail
    line["Amount"] = number(amount)
    return amount


def doc_number(
    store: Store, realm: str, entity: str, body: dict[str, Any], existing: dict[str, Any] | None
) -> None:
    """QBO numbers sales forms itself unless the company uses custom transaction numbers."""
    prefs = store.get(realm, "Preferences", "1") or {}
    custom = prefs.get("SalesFormsPrefs", {}).get("CustomTxnNumbers", False)
    if existing is not None and "DocNumber" not in body and "DocNumber" in existing:
        body["DocNumber"] = existing["DocNumber"]
    wanted = body.get("DocNumber")
    if wanted == "AUTO_GENERATE" or (wanted is None and not custom):
        sequence = "Estimate" if entity == "Estimate" else "Sales"
        body["DocNumber"] = str(store.next_number(realm, sequence, 1001))
    elif wanted is not None:
        if len(str(wanted)) > 21:
            raise faults.validation(
                "2050",
                "Length exceeds limit",
                "String length exceeds the limit of 21 : DocNumber",
                "DocNumber",
            )
        for row in store.rows(realm, entity):
            if row.get("DocNumber") == wanted and row["Id"] != body.get("Id"):
                raise faults.duplicate_doc_number(str(wanted))


def due_date(
    store: Store, realm: str, body: dict[str, Any], customer: dict[str, Any] | None
) -> str:
    """DueDate from the invoice's terms, else the customer's, else the company's default."""
    prefs = store.get(realm, "Preferences", "1") or {}
    ref = (
        body.get("SalesTermRef")
        or (customer or {}).get("SalesTermRef")
        or prefs.get("SalesFormsPrefs", {}).get("DefaultTerms")
    )
    issued = date.fromisoformat(body["TxnDate"])
    term = store.get(realm, "Term", str(ref["value"])) if ref else None
    if term is None:
        return issued.isoformat()
    if "DueDays" in term:
        return (issued + timedelta(days=int(term["DueDays"]))).isoformat()
    day = int(term.get("DayOfMonthDue", 1))
    due = on_day(issued.year, issued.month, day)
    if due < issued or (due - issued).days < int(term.get("DueNextMonthDays", 0)):
        nxt = issued.replace(day=1) + timedelta(days=32)
        due = on_day(nxt.year, nxt.month, day)
    return due.isoformat()


def on_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def payment(store: Store, realm: str, body: dict[str, Any]) -> dict[str, Any]:
    total = money(body["TotalAmt"], "TotalAmt")
    applied = Decimal(0)
    for line in body.get("Line", []):
        amount = money(line.get("Amount", 0), "Line.Amount")
        for link in line.get("LinkedTxn", []):
            if link.get("TxnType") == "Invoice":
                invoice = store.get(realm, "Invoice", str(link.get("TxnId")))
                if invoice is None:
                    raise faults.not_found()
                if invoice["CustomerRef"]["value"] != body["CustomerRef"]["value"]:
                    raise faults.business(
                        "The invoice belongs to another customer.", "Line.LinkedTxn"
                    )
        applied += amount
    if applied > total:
        raise faults.business(
            f"The amounts applied ({number(applied)}) exceed the payment ({number(total)}).",
            "TotalAmt",
        )
    body.setdefault(
        "DepositToAccountRef",
        referred(store, realm, "DepositToAccountRef", {"value": UNDEPOSITED_FUNDS}),
    )
    return {
        "ProcessPayment": False,
        "Line": [],
        **body,
        "TotalAmt": number(total),
        "UnappliedAmt": number(total - applied),
    }


def purchase(
    store: Store, realm: str, body: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    kind = body["PaymentType"]
    if kind not in PAID_FROM:
        raise faults.invalid_enumeration(kind, "PaymentType")
    body["AccountRef"] = referred(store, realm, "AccountRef", body["AccountRef"])
    account = store.get(realm, "Account", body["AccountRef"]["value"]) or {}
    if account.get("AccountType") not in PAID_FROM[kind]:
        raise faults.business(
            f"A {kind} purchase must be paid from a {' or '.join(PAID_FROM[kind])} account.",
            "AccountRef",
        )
    if "EntityRef" in body:
        ref = body["EntityRef"]
        types = (
            (ref["type"],)
            if isinstance(ref, dict) and "type" in ref
            else ("Vendor", "Customer", "Employee")
        )
        for entity in types:
            if isinstance(ref, dict) and store.get(realm, entity, str(ref.get("value"))):
                body["EntityRef"] = {
                    **referred(store, realm, "EntityRef", ref, entity),
                    "type": entity,
                }
                break
        else:
            raise faults.invalid_reference("EntityRef", ref)
    total = Decimal(0)
    old_ids = [int(li["Id"]) for li in (existing or {}).get("Line", [])]
    next_id = max(old_ids, default=0) + 1
    lines = []
    for line in body["Line"]:
        line = dict(line)
        if not str(line.get("Id", "")).isdigit():
            line["Id"] = str(next_id)
            next_id += 1
        if "Amount" not in line:
            raise faults.required_missing("Line.Amount")
        if line.get("DetailType") == "AccountBasedExpenseLineDetail":
            detail = dict(line.get("AccountBasedExpenseLineDetail", {}))
            if "AccountRef" not in detail:
                raise faults.required_missing("Line.AccountBasedExpenseLineDetail.AccountRef")
            detail["AccountRef"] = referred(store, realm, "AccountRef", detail["AccountRef"])
            detail = {"BillableStatus": "NotBillable", "TaxCodeRef": {"value": "NON"}, **detail}
            line["AccountBasedExpenseLineDetail"] = detail
        amount = money(line["Amount"], "Line.Amount")
        line["Amount"] = number(amount)
        total += amount
        lines.append(line)
    # QBO answers no PrintStatus on a credit-card purchase (quickbooks-ruby's recorded ones).
    printed = {} if body.get("PaymentType") == "CreditCard" else {"PrintStatus": "NotSet"}
    return {**printed, **body, "Line": lines, "TotalAmt": number(total)}


def voided(entity: str, existing: dict[str, Any]) -> dict[str, Any]:
    """A voided transaction: amounts 0, "Voided" as its private note."""
    lines = []
    for line in existing.get("Line", []):
        line = {**line, "Amount": 0}
        detail = line.get("SalesItemLineDetail")
        if detail is not None and "UnitPrice" in detail:
            line["SalesItemLineDetail"] = {**detail, "UnitPrice": 0}
        lines.append(line)
    body = {**existing, "Line": lines, "PrivateNote": "Voided", "TotalAmt": 0}
    if entity == "Invoice":
        body["Balance"] = 0
    return body


def rebalance(
    store: Store, realm: str, entity: str, new: dict[str, Any] | None, old: dict[str, Any] | None
) -> None:
    """An invoice's Balance and LinkedTxn follow the payments applied to it; a customer's
    Balance is what its invoices leave open."""
    touched: set[str] = set()
    customers: set[str] = set()
    for doc in (new, old):
        if doc is None:
            continue
        customers.add(doc["CustomerRef"]["value"])
        if entity == "Invoice":
            touched.add(doc["Id"])
        for line in doc.get("Line", []):
            for link in line.get("LinkedTxn", []):
                if link.get("TxnType") == "Invoice":
                    touched.add(str(link.get("TxnId")))
    payments = store.rows(realm, "Payment")
    for invoice_id in touched:
        invoice = store.get(realm, "Invoice", invoice_id)
        if invoice is None:
            continue
        applied = Decimal(0)
        links = [li for li in invoice.get("LinkedTxn", []) if li.get("TxnType") != "Payment"]
        for pay in payments:
            for line in pay.get("Line", []):
                if any(
                    li.get("TxnType") == "Invoice" and str(li.get("TxnId")) == invoice_id
                    for li in line.get("LinkedTxn", [])
                ):
                    applied += money(line.get("Amount", 0), "Line.Amount")
                    links.append({"TxnId": pay["Id"], "TxnType": "Payment"})
        balance = money(invoice["TotalAmt"], "TotalAmt") - applied
        store.put(
            realm,
            "Invoice",
            {**invoice, "Balance": number(max(balance, Decimal(0))), "LinkedTxn": links},
        )
    invoices = store.rows(realm, "Invoice")
    for customer_id in customers:
        customer = store.get(realm, "Customer", customer_id)
        if customer is None:
            continue
        open_amount = sum(
            (
                money(inv.get("Balance", 0), "Balance")
                for inv in invoices
                if inv["CustomerRef"]["value"] == customer_id
            ),
            Decimal(0),
        )
        store.put(
            realm,
            "Customer",
            {**customer, "Balance": number(open_amount), "BalanceWithJobs": number(open_amount)},
        )
