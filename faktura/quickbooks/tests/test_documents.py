"""QuickBooks documents from deals, quotes and payments, against the sandbox (QB-1, QB-3, QB-4,
QB-9…QB-11), each created exactly once (QB-13)."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.money import format_money
from faktura.crm.models import Contact
from faktura.history.models import Entry
from faktura.history.readable import describe_any_event
from faktura.invoices import invoice_payments
from faktura.invoices.models import Invoice
from faktura.payments import services as payments
from faktura.payments.models import Payment
from faktura.quickbooks import documents
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.errors import QuickBooksError
from faktura.quickbooks.matching import ItemNotFound
from faktura.quickbooks.models import DocumentKind, QuickBooksConnection, QuickBooksDocument
from faktura.quickbooks.tests.conftest import new_item
from faktura.sales import services as sales
from faktura.sales.models import Deal
from tests.qbo import Sandbox

pytestmark = pytest.mark.django_db

UNTAXED = [
    {"name": "Gear set", "unit_price": "120.00", "quantity": "3"},
    {"name": "Assembly", "unit_price": "60.00", "quantity": "1"},
]


def item_lines(document: dict[str, Any]) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """(item name, Qty, UnitPrice, Amount) of each item line QuickBooks holds."""
    return [
        (
            line["SalesItemLineDetail"]["ItemRef"]["name"],
            Decimal(str(line["SalesItemLineDetail"]["Qty"])),
            Decimal(str(line["SalesItemLineDetail"]["UnitPrice"])),
            Decimal(str(line["Amount"])),
        )
        for line in document["Line"]
        if line["DetailType"] == "SalesItemLineDetail"
    ]


def count(qb: QuickBooksClient, entity: str) -> int:
    return qb.count(f"SELECT COUNT(*) FROM {entity}")


@pytest.fixture
def items(qb: QuickBooksClient) -> dict[str, str]:
    """The deal fixture's products, made in QuickBooks by a bookkeeper."""
    return {name: new_item(qb, name)["Id"] for name in ("Gear set", "Assembly")}


@pytest.fixture
def paid(make_invoice: Callable[..., Invoice], system: Actor) -> Callable[..., Payment]:
    """paid(lines) → a payment of the whole of a finalized invoice with those lines."""

    def make(lines: list[dict[str, str]] = UNTAXED, **kwargs: Any) -> Payment:
        invoice = make_invoice(finalized=True, lines=lines)
        return invoice_payments.record_invoice_payment(
            invoice, actor=system, amount=str(invoice.total), reference="CHK-77", **kwargs
        )

    return make


# -- sales documents (QB-1, QB-3, QB-4) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "entity"),
    [
        (DocumentKind.INVOICE, "Invoice"),
        (DocumentKind.ESTIMATE, "Estimate"),
        (DocumentKind.SALES_RECEIPT, "SalesReceipt"),
    ],
)
def test_a_deal_becomes_a_document_with_its_lines_and_customer(
    qb: QuickBooksClient, connection: QuickBooksConnection, deal: Deal, admin: Actor,
    items: dict[str, str], kind: str, entity: str,
) -> None:  # fmt: skip  # SPEC QB-1
    document = documents.create_sales_document(
        connection=connection, record=deal, kind=kind, actor=admin, request_key="wf1-e1-s1"
    )
    created = qb.read(entity, document.qbo_id)
    assert item_lines(created) == [
        ("Gear set", Decimal(3), Decimal(120), Decimal("360.00")),
        ("Assembly", Decimal(1), Decimal(60), Decimal("60.00")),
    ]
    assert Decimal(str(created["TotalAmt"])) == document.total == Decimal("420.00")
    customer = qb.read("Customer", created["CustomerRef"]["value"])
    assert (customer["GivenName"], customer["FamilyName"]) == ("Ada", "Lovelace")
    assert created["CustomerMemo"]["value"] == f"Faktura deal {deal.pk}: Difference engine"
    assert "DocNumber" in created
    assert document.doc_number == created["DocNumber"]
    assert (document.kind, document.entity, document.object_type, document.object_id) == (
        kind, entity, "deal", deal.pk,
    )  # fmt: skip
    event = Entry.objects.get(event_type=documents.HISTORY_EVENT, object_id=deal.pk)
    assert event.actor_label == "QuickBooks"
    assert event.data["qbo_id"] == document.qbo_id
    assert event.data["realm"] == connection.realm_id
    # The deal's edit log says it in words.
    assert describe_any_event(event) == (
        f"Created QuickBooks {DocumentKind(kind).label.lower()} {document.doc_number} "
        f"({format_money(document.total, document.currency)}) in {connection.company_name}"
    )


def test_chosen_lines_discounts_and_terms_on_an_invoice(
    qb: QuickBooksClient, income: QuickBooksConnection, system: Actor, admin: Actor,
    contact: Contact,
) -> None:  # fmt: skip  # SPEC QB-1
    deal = sales.create_deal(
        actor=system, dealname="Discounts", contacts=[contact],
        lines=[
            {"name": "Widget", "unit_price": "10.00", "quantity": "3", "discount_value": "10"},
            {"name": "Gadget", "unit_price": "100.00", "quantity": "1",
             "discount_type": "fixed", "discount_value": "0.01"},
            {"name": "Left out", "unit_price": "5.00"},
        ],
    )  # fmt: skip
    chosen = [line.pk for line in deal.line_items.all()[:2]]
    document = documents.create_sales_document(
        connection=income, record=deal, kind=DocumentKind.INVOICE, actor=admin,
        request_key="wf1-e2-s1", line_item_ids=chosen, term_id="3", create_items=True,
    )  # fmt: skip
    created = qb.read("Invoice", document.qbo_id)
    amounts = [(name, amount) for name, _, _, amount in item_lines(created)]
    assert amounts == [("Widget", Decimal("27.00")), ("Gadget", Decimal("99.99"))]
    assert created["SalesTermRef"]["value"] == "3"
    assert document.total == Decimal("126.99")


def test_line_items_not_on_the_record_are_refused(
    connection: QuickBooksConnection, deal: Deal, quote: Any, admin: Actor
) -> None:
    other = quote.line_items.first().pk
    with pytest.raises(RuleViolation, match=str(other)):
        documents.create_sales_document(
            connection=connection, record=deal, kind=DocumentKind.ESTIMATE, actor=admin,
            request_key="wf1-e3-s1", line_item_ids=[other],
        )  # fmt: skip


def test_a_quote_uses_its_oldest_contact(
    qb: QuickBooksClient, connection: QuickBooksConnection, system: Actor, admin: Actor,
    contact: Contact, grace: Contact, items: dict[str, str],
) -> None:  # fmt: skip  # SPEC QB-3
    quote = sales.create_quote(
        actor=system, hs_title="Engine quote", contacts=[grace, contact], lines=UNTAXED
    )
    document = documents.create_sales_document(
        connection=connection, record=quote, kind=DocumentKind.ESTIMATE, actor=admin,
        request_key="wf1-e4-s1",
    )  # fmt: skip
    created = qb.read("Estimate", document.qbo_id)
    customer = qb.read("Customer", created["CustomerRef"]["value"])
    assert customer["GivenName"] == "Grace"
    assert document.object_type == "quote"


def test_a_record_without_contact_is_refused_in_words(
    connection: QuickBooksConnection, system: Actor, admin: Actor
) -> None:  # SPEC QB-3
    deal = sales.create_deal(actor=system, dealname="Lonely", lines=UNTAXED)
    with pytest.raises(RuleViolation, match="Add a contact to the deal “Lonely”"):
        documents.create_sales_document(
            connection=connection, record=deal, kind=DocumentKind.INVOICE, actor=admin,
            request_key="wf1-e5-s1",
        )  # fmt: skip


def test_an_unmatched_line_fails_by_name_unless_products_may_be_created(
    qb: QuickBooksClient, income: QuickBooksConnection, deal: Deal, admin: Actor
) -> None:  # SPEC QB-4
    new_item(qb, "Gear set")
    with pytest.raises(ItemNotFound, match="Assembly"):
        documents.create_sales_document(
            connection=income, record=deal, kind=DocumentKind.INVOICE, actor=admin,
            request_key="wf1-e6-s1",
        )  # fmt: skip
    assert count(qb, "Invoice") == 0
    document = documents.create_sales_document(
        connection=income, record=deal, kind=DocumentKind.INVOICE, actor=admin,
        request_key="wf1-e6-s2", create_items=True,
    )  # fmt: skip
    names = [name for name, *_ in item_lines(qb.read("Invoice", document.qbo_id))]
    assert names == ["Gear set", "Assembly"]
    assert qb.query("SELECT * FROM Item WHERE Name = 'Assembly'")[0]["Type"] == "Service"


# -- exactly once (QB-13) -----------------------------------------------------------------------


def test_the_same_step_twice_makes_one_document(
    qb: QuickBooksClient, connection: QuickBooksConnection, deal: Deal, admin: Actor,
    items: dict[str, str], sandbox: Sandbox,
) -> None:  # fmt: skip  # SPEC QB-13
    first = documents.create_sales_document(
        connection=connection, record=deal, kind=DocumentKind.INVOICE, actor=admin,
        request_key="wf1-e7-s1",
    )  # fmt: skip
    before = len(sandbox.traffic()["started"].get(connection.realm_id, []))
    again = documents.create_sales_document(
        connection=connection, record=deal, kind=DocumentKind.INVOICE, actor=admin,
        request_key="wf1-e7-s1",
    )  # fmt: skip
    assert again.pk == first.pk
    assert len(sandbox.traffic()["started"].get(connection.realm_id, [])) == before  # no call
    assert count(qb, "Invoice") == 1
    assert QuickBooksDocument.objects.count() == 1
    assert Entry.objects.filter(event_type=documents.HISTORY_EVENT).count() == 1


def test_a_lost_answer_and_a_forgotten_row_still_make_one_document(
    qb: QuickBooksClient, connection: QuickBooksConnection, deal: Deal, admin: Actor,
    items: dict[str, str], sandbox: Sandbox,
) -> None:  # fmt: skip  # SPEC QB-13
    sandbox.control(
        "faults", {"kind": "drop", "count": 1, "realm": connection.realm_id, "path": "invoice"}
    )
    # The client sends again after the dropped answer, with the same requestid.
    first = documents.create_sales_document(
        connection=connection, record=deal, kind=DocumentKind.INVOICE, actor=admin,
        request_key="wf1-e8-s1",
    )  # fmt: skip
    # A crash after QuickBooks answered but before the row was kept: the step runs again.
    QuickBooksDocument.objects.all().delete()
    again = documents.create_sales_document(
        connection=connection, record=deal, kind=DocumentKind.INVOICE, actor=admin,
        request_key="wf1-e8-s1",
    )  # fmt: skip
    assert again.qbo_id == first.qbo_id
    assert count(qb, "Invoice") == 1
    assert QuickBooksDocument.objects.count() == 1


def test_a_failure_between_invoice_and_payment_is_finished_by_the_retry(
    qb: QuickBooksClient, connection: QuickBooksConnection, paid: Callable[..., Payment],
    admin: Actor, items: dict[str, str], sandbox: Sandbox,
) -> None:  # fmt: skip  # SPEC QB-9, QB-13
    payment = paid()
    # Every attempt the client makes at the Payment fails (QuickBooks is down for it).
    sandbox.control(
        "faults",
        {"kind": "error", "status": 503, "count": 4, "realm": connection.realm_id,
         "path": "payment", "method": "POST"},
    )  # fmt: skip
    with pytest.raises(QuickBooksError) as failed:
        documents.create_paid_invoice(
            connection=connection, payment=payment, actor=admin, request_key="wf2-e1-s1"
        )
    assert failed.value.retryable
    assert [d.kind for d in QuickBooksDocument.objects.all()] == [DocumentKind.INVOICE]
    invoice, received = documents.create_paid_invoice(
        connection=connection, payment=payment, actor=admin, request_key="wf2-e1-s1"
    )
    assert (count(qb, "Invoice"), count(qb, "Payment")) == (1, 1)
    assert qb.read("Invoice", invoice.qbo_id)["Balance"] == 0
    assert received.kind == DocumentKind.PAYMENT


# -- documents from payments (QB-9, QB-10, QB-11) -----------------------------------------------


def test_a_paid_invoice_and_its_payment(
    qb: QuickBooksClient, connection: QuickBooksConnection, paid: Callable[..., Payment],
    admin: Actor, items: dict[str, str],
) -> None:  # fmt: skip  # SPEC QB-9
    connection.deposit_account_id = "35"  # Checking
    connection.save(update_fields=["deposit_account_id"])
    payment = paid()
    invoice, received = documents.create_paid_invoice(
        connection=connection, payment=payment, actor=admin, request_key="wf2-e2-s1"
    )
    created = qb.read("Invoice", invoice.qbo_id)
    assert [name for name, *_ in item_lines(created)] == ["Gear set", "Assembly"]
    assert created["TxnDate"] == payment.paid_on.isoformat()
    assert created["Balance"] == 0
    answer = qb.read("Payment", received.qbo_id)
    assert Decimal(str(answer["TotalAmt"])) == received.total == Decimal("420.00")
    assert answer["Line"][0]["LinkedTxn"] == [{"TxnId": invoice.qbo_id, "TxnType": "Invoice"}]
    assert answer["DepositToAccountRef"]["value"] == "35"
    assert answer["PaymentRefNum"] == "CHK-77"
    assert {d.object_type for d in (invoice, received)} == {"payment"}


def test_a_taxed_line_refuses_a_paid_invoice_but_not_a_sales_receipt(
    qb: QuickBooksClient, connection: QuickBooksConnection, paid: Callable[..., Payment],
    admin: Actor, items: dict[str, str],
) -> None:  # fmt: skip  # SPEC QB-9
    payment = paid(lines=[UNTAXED[0], {**UNTAXED[1], "tax_rate": "25"}])
    with pytest.raises(RuleViolation, match="“Assembly” is taxed"):
        documents.create_paid_invoice(
            connection=connection, payment=payment, actor=admin, request_key="wf2-e3-s1"
        )
    assert count(qb, "Invoice") == 0
    receipt = documents.create_payment_sales_receipt(
        connection=connection, payment=payment, actor=admin, request_key="wf2-e3-s2"
    )
    created = qb.read("SalesReceipt", receipt.qbo_id)
    assert [name for name, *_ in item_lines(created)] == ["Gear set", "Assembly"]
    assert created["CustomerRef"]["name"]


def test_a_payment_on_no_invoice_is_one_payment_line(
    qb: QuickBooksClient, income: QuickBooksConnection, system: Actor, admin: Actor,
) -> None:  # fmt: skip  # SPEC QB-9
    payment = payments.create_manual_payment(actor=system, amount="75.50", currency="USD")
    with pytest.raises(ItemNotFound, match="Payment"):
        documents.create_payment_sales_receipt(
            connection=income, payment=payment, actor=admin, request_key="wf2-e4-s1"
        )
    receipt = documents.create_payment_sales_receipt(
        connection=income, payment=payment, actor=admin, request_key="wf2-e4-s2",
        create_items=True,
    )  # fmt: skip
    created = qb.read("SalesReceipt", receipt.qbo_id)
    assert item_lines(created) == [("Payment", Decimal(1), Decimal("75.5"), Decimal("75.50"))]
    assert "CustomerRef" not in created  # no contact: a receipt without a customer


def test_a_fee_expense_with_the_connection_defaults_and_an_amount(
    qb: QuickBooksClient, connection: QuickBooksConnection, paid: Callable[..., Payment],
    admin: Actor,
) -> None:  # fmt: skip  # SPEC QB-10
    payment = paid()
    Payment.objects.filter(pk=payment.pk).update(fees_amount=Decimal("12.48"))
    payment.refresh_from_db()
    with pytest.raises(RuleViolation, match="payment account, expense account and vendor"):
        documents.create_fee_expense(
            connection=connection, payment=payment, actor=admin, request_key="wf3-e1-s1"
        )
    vendor = qb.create("Vendor", {"DisplayName": "Stripe"}, request_id="test-vendor")
    connection.fee_payment_account_id = "41"  # Mastercard
    connection.fee_expense_account_id = "8"  # Bank Charges
    connection.fee_vendor_id = vendor["Id"]
    connection.save()
    expense = documents.create_fee_expense(
        connection=connection, payment=payment, actor=admin, request_key="wf3-e1-s2"
    )
    created = qb.read("Purchase", expense.qbo_id)
    assert created["PaymentType"] == "CreditCard"
    assert created["EntityRef"]["value"] == vendor["Id"]
    line = created["Line"][0]
    assert Decimal(str(line["Amount"])) == expense.total == Decimal("12.48")
    assert line["AccountBasedExpenseLineDetail"]["AccountRef"]["value"] == "8"
    by_bank = documents.create_fee_expense(
        connection=connection, payment=payment, actor=admin, request_key="wf3-e1-s3",
        amount=Decimal("3.00"), payment_account_id="35",
    )  # fmt: skip
    assert qb.read("Purchase", by_bank.qbo_id)["PaymentType"] == "Cash"
    assert by_bank.total == Decimal("3.00")


def test_a_zero_fee_makes_no_expense(
    connection: QuickBooksConnection, paid: Callable[..., Payment], admin: Actor
) -> None:  # SPEC QB-10
    with pytest.raises(RuleViolation, match="has no fee amount"):
        documents.create_fee_expense(
            connection=connection, payment=paid(), actor=admin, request_key="wf3-e2-s1",
            payment_account_id="41", expense_account_id="8", vendor_id="1",
        )  # fmt: skip


def test_a_refund_receipt_only_for_a_fully_refunded_payment(
    qb: QuickBooksClient, connection: QuickBooksConnection, paid: Callable[..., Payment],
    system: Actor, admin: Actor, items: dict[str, str],
) -> None:  # fmt: skip  # SPEC QB-11
    payment = paid()
    payment = payments.record_refund(payment, "100.00", actor=system)
    with pytest.raises(RuleViolation, match="not fully refunded"):
        documents.create_refund_receipt(
            connection=connection, payment=payment, actor=admin, request_key="wf4-e1-s1",
            refund_account_id="35",
        )  # fmt: skip
    payment = payments.record_refund(payment, "320.00", actor=system)
    with pytest.raises(RuleViolation, match="No refund account"):
        documents.create_refund_receipt(
            connection=connection, payment=payment, actor=admin, request_key="wf4-e1-s2"
        )
    connection.refund_account_id = "35"
    connection.save(update_fields=["refund_account_id"])
    receipt = documents.create_refund_receipt(
        connection=connection, payment=payment, actor=admin, request_key="wf4-e1-s3"
    )
    created = qb.read("RefundReceipt", receipt.qbo_id)
    assert created["DepositToAccountRef"]["value"] == "35"
    assert [name for name, *_ in item_lines(created)] == ["Gear set", "Assembly"]
    assert receipt.total == Decimal("420.00")


def test_a_disconnected_company_is_refused_without_a_call(
    connection: QuickBooksConnection, deal: Deal, admin: Actor
) -> None:
    connection.status = "disconnected"
    with pytest.raises(QuickBooksError, match="disconnected"):
        documents.create_sales_document(
            connection=connection, record=deal, kind=DocumentKind.INVOICE, actor=admin,
            request_key="wf1-e9-s1",
        )  # fmt: skip
