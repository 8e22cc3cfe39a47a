"""What changed on a finalized invoice, and the message proposed to the customer (INV-7).

Both are written for the customer, in the invoice's language and formats: amounts and dates as
its locale writes them, lines as sentences, options by their labels."""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from faktura.core.locales import format_amount, format_day, language_of
from faktura.core.money import plain
from faktura.core.properties import PropertyType
from faktura.history.models import Entry
from faktura.invoices.issued import seller_of
from faktura.invoices.models import Invoice, InvoiceLine
from faktura.invoices.properties import BUYER_VISIBLE, INVOICE, MONEY_PROPERTIES
from faktura.sales.pricing import DiscountType

# The history event an edit of a finalized invoice records, with what changed.
EDITED_EVENT = "invoice.edited_after_finalization"


@dataclass(frozen=True)
class Change:
    property: str
    label: str
    old: str  # as the customer reads it
    new: str

    def __str__(self) -> str:
        return f"{self.label}: {self.old} → {self.new}"


@dataclass(frozen=True)
class ProposedMessage:
    to: str
    cc: list[str]
    subject: str
    body: str


def describe_lines(lines: Iterable[InvoiceLine], currency: str, locale: str) -> str:
    """The lines as the customer reads them: "3 × Consulting hour at $99.50, 25 % tax"."""
    with translation.override(language_of(locale)):
        return "; ".join(_describe_line(line, currency, locale) for line in lines)


def _describe_line(line: InvoiceLine, currency: str, locale: str) -> str:
    text = _("{quantity} × {name} at {price}").format(
        quantity=plain(line.quantity),
        name=line.name,
        price=format_amount(line.unit_price, currency, locale),
    )
    if line.discount_value:
        discount = (
            f"{plain(line.discount_value)} %"
            if line.discount_type == DiscountType.PERCENT
            else format_amount(line.discount_value, currency, locale)
        )
        text += ", " + _("{discount} discount").format(discount=discount)
    if line.tax_rate:
        text += ", " + _("{rate} % tax").format(rate=plain(line.tax_rate))
    return text


def summarize(
    before: Mapping[str, str | None],
    after: Mapping[str, str | None],
    *,
    locale: str,
    lines: Callable[[], tuple[str, str]] = lambda: ("", ""),
) -> list[Change]:
    """The buyer-visible changes between two property snapshots, for the customer; `lines`
    gives the lines before and after as `describe_lines` writes them, asked only when they
    changed (writing every line is the costly part of an edit)."""
    with translation.override(language_of(locale)):
        changes = []
        for name in BUYER_VISIBLE:
            if before.get(name) == after.get(name):
                continue
            if name == "hs_line_items":
                old, new = lines()
            else:
                old = _show(name, before.get(name), before.get("hs_currency") or "", locale)
                new = _show(name, after.get(name), after.get("hs_currency") or "", locale)
            changes.append(Change(name, _(INVOICE.property(name).label), old, new))
        return changes


def _show(name: str, text: str | None, currency: str, locale: str) -> str:
    prop = INVOICE.property(name)
    if text is None:
        return _("none")
    if name in MONEY_PROPERTIES:
        return format_amount(Decimal(text), currency, locale)
    if prop.type == PropertyType.DATE:
        return format_day(dt.date.fromisoformat(text), locale)
    if name == "seller_logo":
        return _("our logo")
    if prop.options:
        return _(prop.display(text))  # option labels are ours; typed text is theirs
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())  # one line


def customer_message(invoice: Invoice, changes: list[Change]) -> ProposedMessage:
    """The Send dialog's proposal after an edit: to the billing contact, the other contacts
    in copy, saying what changed and what is due now."""
    contact = next((c for c in invoice.contacts_in_order() if c.email), None)  # as Send does
    others = [c.email for c in invoice.contacts_in_order() if c.email and c != contact]
    seller = seller_of(invoice).name
    with translation.override(language_of(invoice.locale)):
        greeting = (
            _("Hello {name},").format(name=contact.first_name)
            if contact and contact.first_name
            else _("Hello,")
        )
        listed = "\n".join(f"- {change}" for change in changes)
        due = _("The amount due is now {amount}, due {day}.").format(
            amount=format_amount(invoice.balance_due, invoice.currency, invoice.locale),
            day=format_day(invoice.due_date, invoice.locale),
        )
        body = "\n\n".join(
            [
                greeting,
                _("We have updated invoice {number}. This is what changed:").format(
                    number=invoice.number
                ),
                listed,
                due + " " + _("The updated invoice is attached and online at the link below."),
                _("Kind regards,") + f"\n{seller}",
            ]
        )
        subject = _("Updated invoice {number} from {seller}").format(
            number=invoice.number, seller=seller
        )
    return ProposedMessage(
        to=contact.email if contact and contact.email else "",
        cc=others,
        subject=subject,
        body=body + "\n",
    )


def edit_changes(invoice: Invoice, entry_id: int) -> list[Change] | None:
    """The changes one edit of this invoice made, as recorded when it was saved (None when
    there is no such edit)."""
    entry = (
        Entry.objects.for_object(INVOICE.singular, invoice.pk)
        .filter(pk=entry_id, kind=Entry.Kind.EVENT, event_type=EDITED_EVENT)
        .first()
    )
    if entry is None:
        return None
    return [
        Change(property="", label=str(label), old=str(old), new=str(new))
        for label, old, new in entry.data.get("changes", [])
    ]


def proposed_message(invoice: Invoice, entry_id: int) -> ProposedMessage | None:
    changes = edit_changes(invoice, entry_id)
    return customer_message(invoice, changes) if changes else None
