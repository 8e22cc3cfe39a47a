"""The QuickBooks documents Faktura creates from its records, each exactly once (QB-13): invoices,
estimates and sales receipts from deals and quotes (QB-1, QB-3, QB-4, QB-6), and from payments
a paid invoice, a sales receipt (QB-9), a fee expense (QB-10) and a refund receipt (QB-11).

Each function first returns the document already recorded for its requestid, without a call.
Otherwise it matches the customer and items (matching.py), builds the body (mapping.py) and
creates it with a requestid derived from the step's `request_key`: QuickBooks answers a repeated
requestid with its first answer, so a retry after a crash anywhere (before the answer, after it,
before recording it) gets the same document. The row and a history event are then written in
one transaction; no call is made inside one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.money import format_money
from faktura.core.properties import object_type_for
from faktura.crm.models import Contact
from faktura.history import services as history
from faktura.invoices.models import Invoice, InvoicePayment
from faktura.payments.models import Payment
from faktura.quickbooks import mapping, rules
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.errors import QuickBooksError, ReconnectNeeded
from faktura.quickbooks.mapping import ENTITIES, SALES_KINDS, MatchedLine
from faktura.quickbooks.matching import Matcher, contact_for, forget_company
from faktura.quickbooks.models import DocumentKind, QuickBooksConnection, QuickBooksDocument
from faktura.quickbooks.request_ids import derived_request_id
from faktura.sales.models import Deal, LineItem, PricedLine, Quote

# How long a call may wait in the worker before a retryable error goes back to the workflow.
MAX_WAIT = 30.0
HISTORY_EVENT = "quickbooks.document_created"
# The records QuickBooks documents are made from.
DOCUMENT_SOURCES = ("deal", "quote", "payment")
SUFFIXES = {
    DocumentKind.INVOICE: "invoice",
    DocumentKind.ESTIMATE: "estimate",
    DocumentKind.SALES_RECEIPT: "receipt",
    DocumentKind.PAYMENT: "payment",
    DocumentKind.EXPENSE: "expense",
    DocumentKind.REFUND_RECEIPT: "refund",
}
_LINE_FIELDS = (
    "product_id", "name", "sku", "description", "quantity", "unit_price", "discount_type",
    "discount_value", "tax_rate",
)  # fmt: skip


# -- sales documents from a deal or quote (QB-1, QB-3, QB-4, QB-6) ------------------------------


def create_sales_document(
    *,
    connection: QuickBooksConnection,
    record: Deal | Quote,
    kind: str,
    actor: Actor,
    request_key: str,
    contact: Contact | None = None,
    line_item_ids: Sequence[int] | None = None,
    term_id: str = "",
    create_items: bool = False,
) -> QuickBooksDocument:
    """An Invoice, Estimate or SalesReceipt of the record's line items (all, or those chosen)
    for its contact (the given one, else the oldest association)."""
    if kind not in SALES_KINDS:
        raise ValueError(f"{kind} is not a sales document kind")
    _require_usable(connection)
    request_id = derived_request_id(request_key, SUFFIXES[DocumentKind(kind)])
    if (done := _recorded(connection, request_id)) is not None:
        return done
    lines = _chosen_lines(record, line_item_ids)
    contact = contact or contact_for(record)
    if contact is None:
        raise RuleViolation(
            _("Add a contact to the %(type)s “%(name)s”: QuickBooks needs a customer for the "
            "document, and Faktura makes it from the contact.")
            % {"type": _type_of(record), "name": _name_of(record)}, code="no_contact",
        )  # fmt: skip
    matcher = _matcher(connection)
    customer = matcher.customer(contact, request_id=derived_request_id(request_key, "customer"))
    body = mapping.sales_body(
        kind,
        customer_id=str(customer["Id"]),
        lines=_matched(matcher, lines, request_key, create_items),
        currency=record.currency,
        memo=_memo(record),
        term_id=term_id,
        deposit_account_id=connection.deposit_account_id,
    )
    return _create(matcher.client, record, DocumentKind(kind), body, request_id, actor)


def _chosen_lines(record: Deal | Quote, line_item_ids: Sequence[int] | None) -> list[LineItem]:
    lines = list(record.line_items.select_related("product"))
    if line_item_ids is not None:
        wanted = {int(i) for i in line_item_ids}
        if missing := sorted(wanted - {line.pk for line in lines}):
            raise RuleViolation(
                _("Line items %(ids)s are not on the %(type)s “%(name)s”. Choose line items of "
                "this record in the action's settings.")
                % {"ids": ", ".join(map(str, missing)), "type": _type_of(record),
                   "name": _name_of(record)}, code="unknown_line_items",
            )  # fmt: skip
        lines = [line for line in lines if line.pk in wanted]
    if not lines:
        raise RuleViolation(
            _("The %(type)s “%(name)s” has no line items, so there is nothing to put on a "
            "QuickBooks document. Add line items, then try again.")
            % {"type": _type_of(record), "name": _name_of(record)}, code="no_line_items",
        )  # fmt: skip
    return lines


# -- documents from a payment (QB-9, QB-10, QB-11) ----------------------------------------------


def create_paid_invoice(
    *,
    connection: QuickBooksConnection,
    payment: Payment,
    actor: Actor,
    request_key: str,
    create_items: bool = False,
) -> list[QuickBooksDocument]:
    """An Invoice of the payment's lines, then a Payment applied to it: [invoice, payment].
    Each create has its own requestid, so a retry after a failure between them finishes the
    pair. Refused when a line is taxable: QuickBooks would add its tax, and the invoice would
    no longer be paid in full (QB-9)."""
    _require_usable(connection)
    invoice_id = derived_request_id(request_key, SUFFIXES[DocumentKind.INVOICE])
    payment_id = derived_request_id(request_key, SUFFIXES[DocumentKind.PAYMENT])
    invoice_doc = _recorded(connection, invoice_id)
    payment_doc = _recorded(connection, payment_id)
    if invoice_doc is not None and payment_doc is not None:
        return [invoice_doc, payment_doc]
    lines = _payment_lines(payment)
    if taxed := next((line for line in lines if line.tax_rate > 0), None):
        raise RuleViolation(
            _("The line “%(name)s” is taxed (%(rate)s %%), and a paid invoice in QuickBooks can "
            "only hold lines without tax. Use the “Create QuickBooks sales receipt from payment” "
            "action for taxed payments.")
            % {"name": taxed.name, "rate": taxed.tax_rate.normalize()},
            code="taxable_line",
        )  # fmt: skip
    matcher = _matcher(connection)
    memo = _memo(payment)
    if invoice_doc is None:
        contact = _payment_contact(payment)
        if contact is None:
            raise RuleViolation(
                _("Payment %(id)s has no contact, and a QuickBooks invoice needs a customer. "
                "Add a contact to the payment or its invoice, then try again.")
                % {"id": payment.pk}, code="no_contact",
            )  # fmt: skip
        customer = matcher.customer(contact, request_id=derived_request_id(request_key, "customer"))
        customer_id = str(customer["Id"])
        body = mapping.sales_body(
            DocumentKind.INVOICE,
            customer_id=customer_id,
            lines=_matched(matcher, lines, request_key, create_items),
            currency=payment.currency,
            memo=memo,
        )
        body["TxnDate"] = payment.paid_on.isoformat()
        invoice_doc = _create(
            matcher.client, payment, DocumentKind.INVOICE, body, invoice_id, actor
        )
    else:
        # The invoice was made by an earlier run that stopped before the payment.
        customer_id = str(
            matcher.client.read("Invoice", invoice_doc.qbo_id)["CustomerRef"]["value"]
        )
    body = mapping.payment_body(
        payment,
        customer_id=customer_id,
        invoice_id=invoice_doc.qbo_id,
        memo=memo,
        deposit_account_id=connection.deposit_account_id,
    )
    payment_doc = _create(matcher.client, payment, DocumentKind.PAYMENT, body, payment_id, actor)
    return [invoice_doc, payment_doc]


def create_payment_sales_receipt(
    *,
    connection: QuickBooksConnection,
    payment: Payment,
    actor: Actor,
    request_key: str,
    create_items: bool = False,
) -> QuickBooksDocument:
    """A SalesReceipt of the payment's lines, taxed or not, deposited to the connection's
    deposit account (QB-9)."""
    return _payment_receipt(
        connection=connection, payment=payment, actor=actor, request_key=request_key,
        kind=DocumentKind.SALES_RECEIPT, account_id=connection.deposit_account_id,
        create_items=create_items,
    )  # fmt: skip


def create_refund_receipt(
    *,
    connection: QuickBooksConnection,
    payment: Payment,
    actor: Actor,
    request_key: str,
    refund_account_id: str = "",
    create_items: bool = False,
) -> QuickBooksDocument:
    """A RefundReceipt of a fully refunded payment's lines, paid from the refund account
    (QB-11)."""
    _require_usable(connection)
    if payment.refunded_amount != payment.amount:
        refunded, whole = (
            format_money(value, payment.currency)
            for value in (payment.refunded_amount, payment.amount)
        )
        raise RuleViolation(
            _("Payment %(id)s is not fully refunded (%(refunded)s of %(amount)s), so no refund "
            "receipt was created: QuickBooks gets one only for a payment refunded in full.")
            % {"id": payment.pk, "refunded": refunded, "amount": whole}, code="not_refunded",
        )  # fmt: skip
    account_id = refund_account_id or connection.refund_account_id
    if not account_id:
        raise RuleViolation(
            _("No refund account is chosen for the QuickBooks company %(name)s. Choose one in "
            "the action's settings or as the default in Settings → QuickBooks.")
            % {"name": connection.company_name}, code="no_refund_account",
        )  # fmt: skip
    return _payment_receipt(
        connection=connection, payment=payment, actor=actor, request_key=request_key,
        kind=DocumentKind.REFUND_RECEIPT, account_id=account_id, create_items=create_items,
    )  # fmt: skip


def _payment_receipt(
    *,
    connection: QuickBooksConnection,
    payment: Payment,
    actor: Actor,
    request_key: str,
    kind: DocumentKind,
    account_id: str,
    create_items: bool,
) -> QuickBooksDocument:
    _require_usable(connection)
    request_id = derived_request_id(request_key, SUFFIXES[kind])
    if (done := _recorded(connection, request_id)) is not None:
        return done
    lines = _payment_lines(payment)
    matcher = _matcher(connection)
    # A receipt may go without a customer (a card payment from someone Faktura does not know).
    contact = _payment_contact(payment)
    customer_id = ""
    if contact is not None:
        customer = matcher.customer(contact, request_id=derived_request_id(request_key, "customer"))
        customer_id = str(customer["Id"])
    body = mapping.sales_body(
        kind,
        customer_id=customer_id,
        lines=_matched(matcher, lines, request_key, create_items),
        currency=payment.currency,
        memo=_memo(payment),
        deposit_account_id=account_id,
    )
    if kind == DocumentKind.SALES_RECEIPT:
        body["TxnDate"] = payment.paid_on.isoformat()
    return _create(matcher.client, payment, kind, body, request_id, actor)


def create_fee_expense(
    *,
    connection: QuickBooksConnection,
    payment: Payment,
    actor: Actor,
    request_key: str,
    amount: Decimal | None = None,
    payment_account_id: str = "",
    expense_account_id: str = "",
    vendor_id: str = "",
) -> QuickBooksDocument:
    """An expense (Purchase) of the payment's processing fee, or `amount`, to the fee vendor,
    paid from the payment account and booked to the expense account (QB-10). "" takes the
    connection's default."""
    _require_usable(connection)
    request_id = derived_request_id(request_key, SUFFIXES[DocumentKind.EXPENSE])
    if (done := _recorded(connection, request_id)) is not None:
        return done
    value = payment.fees_amount if amount is None else amount
    if value <= 0:
        raise RuleViolation(
            _("Payment %(id)s has no fee amount (%(amount)s), so no expense was created in "
            "QuickBooks.") % {"id": payment.pk, "amount": format_money(value, payment.currency)},
            code="no_amount",
        )  # fmt: skip
    chosen = {
        _("payment account"): payment_account_id or connection.fee_payment_account_id,
        _("expense account"): expense_account_id or connection.fee_expense_account_id,
        _("vendor"): vendor_id or connection.fee_vendor_id,
    }
    if missing := [name for name, value in chosen.items() if not value]:
        raise RuleViolation(
            _("No %(missing)s is chosen for fee expenses in the QuickBooks company %(name)s. "
            "Choose it in the action's settings or as the default in Settings → QuickBooks.")
            % {"missing": _listed(missing), "name": connection.company_name},
            code="no_default",
        )  # fmt: skip
    paid_from, expense_account, vendor = chosen.values()
    client = QuickBooksClient(connection, max_wait=MAX_WAIT)
    body = mapping.expense_body(
        amount=value,
        paid_on=payment.paid_on.isoformat(),
        payment_account=client.read("Account", paid_from),
        expense_account_id=expense_account,
        vendor_id=vendor,
        memo=_("%(memo)s: processing fee") % {"memo": _memo(payment)},
    )
    return _create(client, payment, DocumentKind.EXPENSE, body, request_id, actor)


def _payment_invoice(payment: Payment) -> Invoice | None:
    applied = InvoicePayment.objects.filter(payment=payment).select_related("invoice").first()
    return applied.invoice if applied is not None else None


def _payment_lines(payment: Payment) -> list[LineItem]:
    """The lines of the invoice the payment pays in full; else one line of the payment's amount
    named "Payment" (a partial payment, or a payment on no invoice)."""
    invoice = _payment_invoice(payment)
    if invoice is not None and invoice.total == payment.amount:
        lines = list(invoice.lines.select_related("product"))
        if lines:
            # Copies with the invoice lines' ids (unsaved): matching works on line items.
            return [_as_line_item(line) for line in lines]
    return [LineItem(name=_("Payment"), unit_price=payment.amount, quantity=Decimal(1))]


def _as_line_item(line: PricedLine) -> LineItem:
    copy = LineItem(id=line.pk, **{name: getattr(line, name) for name in _LINE_FIELDS})
    if line.product_id:
        copy.product = line.product
    return copy


def _payment_contact(payment: Payment) -> Contact | None:
    if payment.contact_id:
        return payment.contact
    invoice = _payment_invoice(payment)
    if invoice is None:
        return None
    return invoice.contacts.order_by("invoicecontact__position", "invoicecontact__id").first()


# -- shared steps ---------------------------------------------------------------------------------


def _require_usable(connection: QuickBooksConnection) -> None:
    decision = rules.can_use(connection)
    if decision:
        return
    if decision.code == "reconnect":
        raise ReconnectNeeded(decision.reason)
    raise RuleViolation(decision.reason, code=decision.code or "rule_violation")


def _matcher(connection: QuickBooksConnection) -> Matcher:
    """A matcher that reuses the customers and items this process found for earlier documents
    of the company (matching.CACHE_SECONDS)."""
    return Matcher(QuickBooksClient(connection, max_wait=MAX_WAIT), connection, shared=True)


def _recorded(connection: QuickBooksConnection, request_id: str) -> QuickBooksDocument | None:
    return QuickBooksDocument.objects.filter(connection=connection, request_id=request_id).first()


def _matched(
    matcher: Matcher, lines: Sequence[LineItem], request_key: str, create_items: bool
) -> list[MatchedLine]:
    """Each line with its item: matched, else created when allowed, else ItemNotFound naming
    the line (QB-4). A created item's requestid is the line's, so a retry finds it."""
    matcher.prefetch_items(lines)
    return [
        MatchedLine(
            line,
            matcher.item_or_create(
                line,
                create=create_items,
                request_id=derived_request_id(request_key, f"item-{line.pk or 'payment'}"),
            ),
        )
        for line in lines
    ]


def _create(
    client: QuickBooksClient,
    record: models.Model,
    kind: DocumentKind,
    body: dict[str, Any],
    request_id: str,
    actor: Actor,
) -> QuickBooksDocument:
    entity = ENTITIES[kind]
    try:
        answer = client.create(entity, body, request_id=request_id)
    except QuickBooksError as error:
        if error.status == 400:
            # Refused: perhaps over a customer or item deleted since this process found it.
            forget_company(client.connection)
        raise
    return _record(client.connection, record, kind, answer, request_id, actor)


def _record(
    connection: QuickBooksConnection,
    record: models.Model,
    kind: DocumentKind,
    answer: Mapping[str, Any],
    request_id: str,
    actor: Actor,
) -> QuickBooksDocument:
    """Keep the created document and say so in the record's history, once: a second process
    that created the same document (same requestid, same answer) finds the row."""
    values = {
        "kind": kind,
        "entity": ENTITIES[kind],
        "qbo_id": str(answer["Id"]),
        "doc_number": str(answer.get("DocNumber") or ""),
        "total": Decimal(str(answer.get("TotalAmt", 0))),
        "currency": str(getattr(record, "currency", "")),
        "object_type": object_type_for(record).singular,
        "object_id": record.pk,
    }
    try:
        with transaction.atomic():
            document = QuickBooksDocument.objects.create(
                connection=connection, request_id=request_id, **values
            )
            history.record_event(
                record,
                HISTORY_EVENT,
                actor=Actor.integration("QuickBooks"),
                data={
                    "kind": kind.value,
                    "qbo_id": document.qbo_id,
                    "doc_number": document.doc_number,
                    "total": str(document.total),
                    "company": connection.company_name,
                    "realm": connection.realm_id,
                    "requested_by": actor.describe(),
                    # What the record's edit log says (history cannot import this app).
                    "summary": _(
                        "Created QuickBooks %(kind)s %(number)s (%(total)s) in %(company)s"
                    )
                    % {
                        "kind": str(kind.label).lower(),
                        "number": document.doc_number or f"#{document.qbo_id}",
                        "total": format_money(document.total, document.currency)
                        if document.currency
                        else document.total,
                        "company": connection.company_name,
                    },
                },
            )
    except IntegrityError:
        return QuickBooksDocument.objects.get(connection=connection, request_id=request_id)
    return document


def _listed(names: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(names) == 1:
        return names[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _type_of(record: models.Model) -> str:
    return object_type_for(record).singular


def _name_of(record: models.Model) -> str:
    if isinstance(record, Deal):
        return record.name
    if isinstance(record, Quote):
        return record.title
    if isinstance(record, Payment):
        reference = record.reference or record.processor_payment_id
        return reference or format_money(record.amount, record.currency)
    return str(record)


def _memo(record: models.Model) -> str:
    return mapping.record_memo(record, _type_of(record), _name_of(record))


# -- reading them back --------------------------------------------------------------------------


def documents_for(record: models.Model) -> list[QuickBooksDocument]:
    """The QuickBooks documents Faktura created for a deal, quote or payment, oldest first."""
    try:
        object_type = object_type_for(record).singular
    except LookupError:
        return []
    if object_type not in DOCUMENT_SOURCES:
        return []
    return list(
        QuickBooksDocument.objects.filter(
            object_type=object_type, object_id=record.pk
        ).select_related("connection")
    )
