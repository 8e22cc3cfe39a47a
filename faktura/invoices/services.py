"""The invoice lifecycle: drafts, finalizing, edits, associations, cloning, voiding, deleting
(INV-1…INV-23)."""

import datetime as dt
import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faktura.accounts.models import PaymentTerms, User
from faktura.accounts.permissions import can_edit_invoices
from faktura.accounts.services import get_account_settings
from faktura.core.actors import Actor
from faktura.core.dates import check_business_date
from faktura.core.errors import RuleViolation, require
from faktura.core.locales import normalize_locale
from faktura.core.money import normalize_currency
from faktura.core.properties import parse_value
from faktura.crm.models import Company, Contact
from faktura.history import services as history
from faktura.invoices import documents, numbering, rules
from faktura.invoices.changes import (
    EDITED_EVENT,
    Change,
    ProposedMessage,
    customer_message,
    describe_lines,
    summarize,
)
from faktura.invoices.checkout import cancel_open_checkouts
from faktura.invoices.issued import FROZEN_FIELDS, freeze_parties
from faktura.invoices.lock_objects import invoice_for_update
from faktura.invoices.models import Invoice, InvoiceContact, InvoiceLine, InvoiceStatus
from faktura.invoices.properties import INVOICE
from faktura.sales.line_store import store_lines
from faktura.sales.lines import LineInput, clean_lines, restated
from faktura.sales.models import Deal, LineItem, Quote
from faktura.sales.pricing import totals
from faktura.sales.services import refuse_archived_products


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()

# Properties a user or client sets directly; everything else is derived or set by a service.
EDITABLE = frozenset(
    {
        "hs_currency",
        "hs_invoice_date",
        "hs_due_date",
        "hs_payment_terms",
        "hs_comments",
        "hs_invoice_footer",
        "hs_purchase_order_number",
        "hs_tax_id",
        "hs_locale",
    }
)


@dataclass(frozen=True)
class InvoiceEdit:
    invoice: Invoice
    changes: list[Change]
    # Proposed to the user after an edit of a finalized invoice (INV-7); None for drafts.
    customer_message: ProposedMessage | None
    cancelled_checkouts: int
    # The history event that records the edit of a finalized invoice (what the Send dialog
    # tells the customer about); None when nothing the buyer sees changed.
    event_id: int | None = None


def create_draft_invoice(
    *,
    actor: Actor,
    contacts: Iterable[Contact] = (),
    companies: Iterable[Company] = (),
    deal: Deal | None = None,
    quote: Quote | None = None,
    lines: Sequence[LineInput | Mapping[str, Any]] = (),
    owner: User | None = None,
    from_subscription: bool = False,
    values: Mapping[str, Any] | None = None,
) -> Invoice:
    require(can_edit_invoices(actor))
    values = dict(values or {})
    account = get_account_settings()
    source = quote or deal
    invoice = Invoice(
        currency=source.currency if source else account.default_currency,
        invoice_date=timezone.localdate(),
        payment_terms=account.default_payment_terms,
        tax_id=account.company_tax_id,
        locale=account.invoice_locale,
        owner=owner if owner is not None else cast(User | None, actor.user),
        deal=deal,
        quote=quote,
        from_subscription=from_subscription,
    )
    _assign_values(invoice, values)
    cleaned = clean_lines(list(lines), invoice.currency)
    on_source = source.line_items.values_list("product_id", flat=True) if source else []
    refuse_archived_products(cleaned, kept=set(on_source))
    with transaction.atomic():
        invoice.save()
        _set_contacts(invoice, contacts)
        invoice.companies.set(companies)
        _bill_company(invoice, UNCHANGED)
        _replace_lines(invoice, cleaned)
        _recalculate(invoice)
        invoice.save()
        history.record_created(invoice, actor=actor)
    return invoice


def create_invoice_from_deal(deal: Deal, *, actor: Actor) -> Invoice:
    """A draft with the deal's contacts (oldest association first), companies and line items."""
    return create_draft_invoice(
        actor=actor,
        deal=deal,
        contacts=deal.contacts_in_order(),
        companies=deal.companies.all(),
        lines=[LineInput.from_line(item) for item in deal.line_items.all()],
        owner=deal.owner,
    )


def create_invoice_from_quote(quote: Quote, *, actor: Actor) -> Invoice:
    return create_draft_invoice(
        actor=actor,
        quote=quote,
        deal=quote.deal,
        contacts=quote.contacts_in_order(),
        companies=quote.companies.all(),
        lines=[LineInput.from_line(item) for item in quote.line_items.all()],
        owner=quote.owner,
    )


def update_invoice(
    invoice: Invoice,
    *,
    actor: Actor,
    values: Mapping[str, Any] | None = None,
    lines: Sequence[LineInput | Mapping[str, Any]] | None = None,
    contacts: Iterable[Contact] | None = None,
    companies: Iterable[Company] | None = None,
    billed_company: Company | _Unchanged = UNCHANGED,
    deal: Deal | _Unchanged | None = UNCHANGED,
    quote: Quote | _Unchanged | None = UNCHANGED,
) -> InvoiceEdit:
    """Edit a draft, or a finalized invoice under INV-6…INV-10 (which cancels an open checkout).

    A finalized invoice is issued again: its seller and buyer are frozen anew (DOC-1), and the
    history and the change summary show what that changed."""
    values = dict(values or {})
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_edit(invoice, actor))
        before = INVOICE.snapshot(invoice)
        lines_before = list(invoice.lines.all()) if lines is not None else []
        currency_before = invoice.currency
        _assign_values(invoice, values)
        if lines is not None:
            cleaned = clean_lines(list(lines), invoice.currency)
            on_invoice = invoice.lines.values_list("product_id", flat=True)
            refuse_archived_products(cleaned, kept=set(on_invoice))
            _replace_lines(invoice, cleaned)
        if contacts is not None:
            _set_contacts(invoice, contacts)
        if companies is not None:
            invoice.companies.set(companies)
        if companies is not None or not isinstance(billed_company, _Unchanged):
            _bill_company(invoice, billed_company)
        if not isinstance(deal, _Unchanged):
            invoice.deal = deal
        if not isinstance(quote, _Unchanged):
            invoice.quote = quote
        _recalculate(invoice)
        if invoice.is_finalized:
            # A finalized invoice must stay a complete invoice after the edit.
            require(rules.check_content(invoice))
            freeze_parties(invoice)
        invoice.save()
        after = INVOICE.snapshot(invoice)
        history.record_changes(invoice, before, after, actor=actor)
        changes = summarize(
            before,
            after,
            locale=invoice.locale,
            lines=lambda: (
                describe_lines(lines_before, currency_before, invoice.locale),
                describe_lines(invoice.lines.all(), invoice.currency, invoice.locale),
            ),
        )
        if not invoice.is_finalized or not changes:
            return InvoiceEdit(invoice, changes, None, 0)  # a draft was never sent to anyone
        cancelled = cancel_open_checkouts(invoice, reason="The invoice was edited.")
        documents.render_later(invoice)  # INV-6: the buyer's PDF shows the edit
        event = history.record_event(
            invoice,
            EDITED_EVENT,
            actor=actor,
            data={
                "changes": [[c.label, c.old, c.new] for c in changes],
                "cancelled_checkouts": cancelled,
            },
        )
    return InvoiceEdit(invoice, changes, customer_message(invoice, changes), cancelled, event.pk)


def attach_line_item(invoice: Invoice, item: LineItem, *, actor: Actor) -> InvoiceEdit:
    """Move a line item that belongs to nothing onto the invoice, keeping its id (ADR 0006):
    an edit like any other (INV-6…INV-10 apply to a finalized invoice)."""
    with transaction.atomic():
        item = LineItem.objects.select_for_update().get(pk=item.pk)
        if item.deal_id or item.quote_id:
            raise RuleViolation(
                f"Line item {item.pk} belongs to {item.deal or item.quote}; a line item has one "
                "parent (the invoice's lines are its own copies). Create a new line item for "
                "the invoice.",
                code="line_item_taken",
            )
        moved = LineInput.from_line(item, keep_id=True)
        item.delete()
        return update_invoice(invoice, actor=actor, lines=[*_restated(invoice), moved])


def add_invoice_lines(
    invoice: Invoice, lines: Sequence[LineInput], *, actor: Actor
) -> list[InvoiceLine]:
    """Append lines in one edit, whatever their number: one lock, one recalculation, one history
    entry, one PDF render (an edit per line redid all of them for every line). The new lines."""
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        kept = _restated(invoice)
        edit = update_invoice(invoice, actor=actor, lines=[*kept, *lines])
        return list(edit.invoice.lines.all()[len(kept) :])


def restate_invoice_lines(
    invoice: Invoice,
    *,
    actor: Actor,
    changed: Mapping[int, LineInput] | None = None,
    removed: Collection[int] = (),
) -> InvoiceEdit:
    """Change some lines in place (by id, ids kept) and remove others, in one edit whatever
    their number; the other lines stay as they are."""
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        lines = restated(invoice.lines.all(), changed or {}, removed)
        return update_invoice(invoice, actor=actor, lines=lines)


def update_invoice_line(
    line: InvoiceLine, *, actor: Actor, values: Mapping[str, Any]
) -> InvoiceEdit:
    """Change one of the invoice's lines in place, its id kept; the other lines stay as they are."""
    changed = LineInput(**{**LineInput.from_line(line).as_fields(), **values}, id=line.pk)
    return restate_invoice_lines(line.invoice, actor=actor, changed={line.pk: changed})


def remove_invoice_line(line: InvoiceLine, *, actor: Actor) -> InvoiceEdit:
    return restate_invoice_lines(line.invoice, actor=actor, removed={line.pk})


def _restated(invoice: Invoice) -> list[LineInput]:
    return [LineInput.from_line(line, keep_id=True) for line in invoice.lines.all()]


def assign_invoice_owner(invoice: Invoice, owner: User | None, *, actor: Actor) -> Invoice:
    """The owner is CRM data, not invoice content: it can change in any status."""
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_assign_owner(invoice, actor))
        before = INVOICE.snapshot(invoice)
        invoice.owner = owner
        invoice.save(update_fields=["owner", "updated_at"])
        history.record_changes(invoice, before, INVOICE.snapshot(invoice), actor=actor)
    return invoice


def add_invoice_association(
    invoice: Invoice, record: Contact | Company, *, actor: Actor
) -> InvoiceEdit:
    """Add a contact or company after the others: the billed ones stay billed (DOC-2)."""
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_add_association(invoice, record, actor))
        if isinstance(record, Contact):
            return update_invoice(
                invoice, actor=actor, contacts=[*invoice.contacts_in_order(), record]
            )
        return update_invoice(invoice, actor=actor, companies=[*invoice.companies.all(), record])


def remove_invoice_association(
    invoice: Invoice, record: Contact | Company, *, actor: Actor
) -> InvoiceEdit:
    """Take a contact or company off the invoice; when it was billed, the next one is."""
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_remove_association(invoice, record, actor))
        if isinstance(record, Contact):
            kept = [c for c in invoice.contacts_in_order() if c != record]
            return update_invoice(invoice, actor=actor, contacts=kept)
        return update_invoice(
            invoice, actor=actor, companies=invoice.companies.exclude(pk=record.pk)
        )


def bill_invoice_to(invoice: Invoice, record: Contact | Company, *, actor: Actor) -> InvoiceEdit:
    """DOC-2: choose the one company billed, or the billing contact (who becomes the first)."""
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_bill(invoice, record, actor))
        if isinstance(record, Company):
            return update_invoice(invoice, actor=actor, billed_company=record)
        others = [c for c in invoice.contacts_in_order() if c != record]
        return update_invoice(invoice, actor=actor, contacts=[record, *others])


def finalize_invoice(invoice: Invoice, *, actor: Actor) -> Invoice:
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_finalize(invoice, actor))
        before = INVOICE.snapshot(invoice)
        invoice.status = InvoiceStatus.OPEN
        invoice.finalized_at = timezone.now()
        invoice.public_token = secrets.token_urlsafe(32)
        invoice.number_seq = numbering.next_invoice_number()
        invoice.number = numbering.format_invoice_number(
            get_account_settings().invoice_number_prefix, invoice.number_seq
        )
        taken = Invoice.objects.filter(number=invoice.number)
        if taken.exclude(number_seq=invoice.number_seq).exists():
            # e.g. prefix "INV-1" + 1 and later prefix "INV-" + 11 both read "INV-11".
            raise RuleViolation(
                f"The next invoice number, {invoice.number}, is already used by another "
                "invoice because the number prefix changed. Choose a different prefix in the "
                "settings.",
                code="number_taken",
            )
        freeze_parties(invoice)  # DOC-1: from now on the invoice prints these
        invoice.save(
            update_fields=[
                "status",
                "finalized_at",
                "public_token",
                "number_seq",
                "number",
                *FROZEN_FIELDS,
                "updated_at",
            ]
        )
        history.record_changes(invoice, before, INVOICE.snapshot(invoice), actor=actor)
        history.record_event(
            invoice, "invoice.finalized", actor=actor, data={"number": invoice.number}
        )
        documents.render_later(invoice)
    return invoice


def clone_invoice(invoice: Invoice, *, actor: Actor) -> Invoice:
    """A new draft with the same details and associations; no payments, no number (INV-4)."""
    with transaction.atomic():
        source = invoice_for_update(invoice.pk)  # as stored now, not as the caller last saw it
        require(rules.can_clone(source, actor))
        values: dict[str, Any] = {
            "hs_currency": source.currency,
            "hs_payment_terms": source.payment_terms,
            "hs_comments": source.comments,
            "hs_invoice_footer": source.footer,
            "hs_purchase_order_number": source.purchase_order_number,
            "hs_tax_id": source.tax_id,
            "hs_locale": source.locale,
        }
        if source.payment_terms == PaymentTerms.CUSTOM:
            values["hs_due_date"] = timezone.localdate() + (source.due_date - source.invoice_date)
        clone = create_draft_invoice(
            actor=actor,
            contacts=source.contacts_in_order(),
            companies=source.companies.all(),
            deal=source.deal,
            quote=source.quote,
            lines=[LineInput.from_line(line) for line in source.lines.all()],
            owner=source.owner,
            values=values,
        )
        history.record_event(
            clone,
            "invoice.cloned",
            actor=actor,
            data={"source_id": source.pk, "source_number": source.number},
        )
    return clone


def void_invoice(invoice: Invoice, *, actor: Actor) -> Invoice:
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_void(invoice, actor))
        before = INVOICE.snapshot(invoice)
        cancel_open_checkouts(invoice, reason="The invoice was voided.")
        invoice.status = InvoiceStatus.VOIDED
        invoice.voided_at = timezone.now()
        invoice.balance_due = invoice.owed()  # DOC-3: nothing is due on a voided invoice
        invoice.save(update_fields=["status", "voided_at", "balance_due", "updated_at"])
        history.record_changes(invoice, before, INVOICE.snapshot(invoice), actor=actor)
        history.record_event(
            invoice, "invoice.voided", actor=actor, data={"number": invoice.number}
        )
        documents.render_later(invoice)
    return invoice


def delete_invoice(invoice: Invoice, *, actor: Actor) -> None:
    """Permanent. A finalized invoice's number stays used: the deletion leaves a gap (INV-22)."""
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_delete(invoice, actor))
        history.record_event(
            invoice,
            "invoice.deleted",
            actor=actor,
            data={
                "number": invoice.number,
                "status": invoice.status,
                "total": str(invoice.total),
                "currency": invoice.currency,
            },
        )
        invoice.delete()


def _assign_values(invoice: Invoice, values: Mapping[str, Any]) -> None:
    """Set editable properties; the due date follows the payment terms unless given."""
    for name in values:
        if name not in EDITABLE:
            prop = INVOICE.property(name)  # unknown names get "does not exist"
            hint = " Use assign_invoice_owner." if name == "hubspot_owner_id" else ""
            raise RuleViolation(
                f"{prop.label} ({name}) cannot be set here.{hint}", code="read_only"
            )
    for name, raw in values.items():
        prop = INVOICE.property(name)
        if name == "hs_locale":  # before the option check: "nb_no" is nb-NO too
            raw = normalize_locale(raw)
        value = parse_value(prop, raw)
        if name == "hs_currency":
            value = normalize_currency(value)
        elif prop.type == prop.type.DATE and value is None:
            raise RuleViolation(f"{prop.label} cannot be empty.", code="invalid_date")
        elif prop.type == prop.type.DATE:
            check_business_date(value, field=prop.label)
        setattr(invoice, prop.field or name, value)
    terms = PaymentTerms(invoice.payment_terms)
    if "hs_due_date" in values:
        if terms.days is not None and invoice.due_date != invoice.invoice_date + dt.timedelta(
            terms.days
        ):
            invoice.payment_terms = PaymentTerms.CUSTOM
    elif terms.days is not None:
        invoice.due_date = invoice.invoice_date + dt.timedelta(days=terms.days)
    elif invoice.due_date is None:
        invoice.due_date = invoice.invoice_date


def _set_contacts(invoice: Invoice, contacts: Iterable[Contact]) -> None:
    """Replace the contacts, keeping their order: the first is the billing contact."""
    ordered = list(dict.fromkeys(contacts))
    InvoiceContact.objects.filter(invoice=invoice).delete()
    InvoiceContact.objects.bulk_create(
        InvoiceContact(invoice=invoice, contact=contact, position=index)
        for index, contact in enumerate(ordered)
    )


def _bill_company(invoice: Invoice, chosen: Company | _Unchanged) -> None:
    """DOC-2: the billed company is the one chosen, else the one billed so far while it stays
    on the invoice, else the oldest association; none without companies."""
    companies = invoice.companies.order_by("id")
    if isinstance(chosen, Company):
        if not companies.filter(pk=chosen.pk).exists():
            raise RuleViolation(
                _("{name} is not a company on this invoice; add it first, then bill it.").format(
                    name=chosen
                ),
                code="not_associated",
            )
        invoice.billed_company = chosen
    elif (
        invoice.billed_company_id is None
        or not companies.filter(pk=invoice.billed_company_id).exists()
    ):
        invoice.billed_company = companies.first()


def _replace_lines(invoice: Invoice, lines: list[LineInput]) -> None:
    def amounts(line: LineInput) -> dict[str, Any]:
        """New lines are written with their amounts: updating them after took seconds."""
        result = line.amounts(invoice.currency)
        return {
            "amount": result.amount,
            "discount_amount": result.discount,
            "tax_amount": result.tax,
            "total": result.total,
        }

    store_lines(InvoiceLine, invoice.lines.all(), lines, amounts, invoice=invoice)


def _recalculate(invoice: Invoice) -> None:
    """Line amounts and totals from the lines, in the invoice currency (ADR 0001)."""
    changed, amounts = [], []
    for line in invoice.lines.all():
        result = line.amounts(invoice.currency)
        stored = (line.amount, line.discount_amount, line.tax_amount, line.total)
        if stored != (result.amount, result.discount, result.tax, result.total):
            line.amount, line.discount_amount, line.tax_amount = (
                result.amount,
                result.discount,
                result.tax,
            )
            line.total = result.total
            changed.append(line)  # only these: the others' amounts are stored already
        amounts.append(result)
    # 100 rows an UPDATE: bulk_update's CASE grows with its rows (a currency change).
    InvoiceLine.objects.bulk_update(
        changed, ["amount", "discount_amount", "tax_amount", "total"], batch_size=100
    )
    summed = totals(amounts)
    invoice.subtotal, invoice.total_discount, invoice.total_tax = (
        summed.subtotal,
        summed.discount,
        summed.tax,
    )
    invoice.total = summed.total
    invoice.balance_due = invoice.owed()
