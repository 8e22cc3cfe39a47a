"""What the record pages show beside the invoice: the Actions menu, properties, payments and the
edit log (INV-2, INV-16, INV-32), read for one invoice or payment."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import dateformat, timezone

from faktura.accounts.models import User
from faktura.core.actors import Actor, ActorKind
from faktura.core.errors import RuleViolation
from faktura.core.money import format_money
from faktura.core.properties import ObjectType, Property, PropertyType
from faktura.history.models import Entry
from faktura.history.queries import edit_log
from faktura.invoices.menu import invoice_menu
from faktura.invoices.models import Invoice
from faktura.invoices.properties import public_url
from faktura.listings.columns import Cell, cell
from faktura.payments.models import Payment, PaymentMethod

# Sending and the PDF arrive with invoice documents (issue 4). Until then the menu shows these
# actions disabled with these reasons; issue 4 replaces this table with the real actions.
DOCUMENTS_NOT_YET_AVAILABLE: dict[str, str] = {
    "send": "Sending by email comes with invoice documents (not yet available).",
    "download": "PDF download comes with invoice documents (not yet available).",
}

EDIT_LOG_LIMIT = 300
_SAME_WRITE = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str
    icon: str
    enabled: bool
    reason: str
    # How the item acts: "link", "new_tab", "dialog" (GET into the modal), "post", "copy".
    how: str = "link"
    url: str = ""
    danger: bool = False


_ICONS = {
    "edit": "pencil",
    "record_payment": "cash-coin",
    "view": "box-arrow-up-right",
    "history": "clock-history",
    "copy_link": "link-45deg",
    "send": "envelope",
    "download": "file-earmark-pdf",
    "clone": "copy",
    "delete": "trash",
    "void": "slash-circle",
}


def menu_entries(invoice: Invoice, actor: Actor) -> list[MenuEntry]:
    """invoices.menu's items with where each one goes; rules decide what is enabled."""
    pk = invoice.pk
    how: dict[str, tuple[str, str]] = {
        "edit": ("link", reverse("invoices:edit", args=[pk])),
        "record_payment": ("dialog", reverse("invoices:record_payment", args=[pk])),
        "history": ("dialog", reverse("invoices:property_history", args=[pk])),
        "clone": ("post", reverse("invoices:clone", args=[pk])),
        "delete": ("dialog", reverse("invoices:delete", args=[pk])),
        "void": ("dialog", reverse("invoices:void", args=[pk])),
    }
    if invoice.public_token:
        how["view"] = ("new_tab", reverse("invoices:public", args=[invoice.public_token]))
        how["copy_link"] = ("copy", public_url(invoice) or "")
    entries = []
    for item in invoice_menu(invoice, actor):
        enabled, reason = item.decision.ok, item.decision.reason
        if enabled and item.key in DOCUMENTS_NOT_YET_AVAILABLE:
            enabled, reason = False, DOCUMENTS_NOT_YET_AVAILABLE[item.key]
        kind, url = how.get(item.key, ("link", ""))
        entries.append(
            MenuEntry(
                key=item.key,
                label=item.label,
                icon=_ICONS.get(item.key, "dot"),
                enabled=enabled,
                reason=reason,
                how=kind,
                url=url,
                danger=item.key in ("delete", "void"),
            )
        )
    return entries


@dataclass(frozen=True)
class PropertyRow:
    name: str
    label: str
    cell: Cell


def property_rows(object_type: ObjectType, record: models.Model) -> list[PropertyRow]:
    return [PropertyRow(p.name, p.label, cell(p, record)) for p in object_type.properties]


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    amount: str
    method: str
    url: str


def payment_rows(invoice: Invoice) -> list[PaymentRow]:
    applied = invoice.applied_payments.select_related("payment").order_by("applied_at", "id")
    return [
        PaymentRow(
            payment=a.payment,
            amount=format_money(a.payment.amount, a.payment.currency),
            method=PaymentMethod(a.payment.method).label
            if a.payment.method in PaymentMethod.values
            else a.payment.method,
            url=a.payment.get_absolute_url(),
        )
        for a in applied
    ]


# --- history -------------------------------------------------------------------------------


@dataclass
class LogGroup:
    """What one actor did at one moment: an event and the property changes it made."""

    at: dt.datetime
    who: str
    events: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[str]:
        # Oldest first inside the moment, events before the values they set.
        return [*reversed(self.events), *reversed(self.changes)]

    @property
    def when(self) -> str:
        return format_when(self.at)


def format_when(at: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(at), "M j, Y H:i:s")


def who_did(entry: Entry, users: dict[int, User]) -> str:
    """User, API, workflow, integration or system, with the name (INV-16, INV-32)."""
    kind = ActorKind(entry.actor_kind).label if entry.actor_kind in ActorKind.values else "?"
    user = users.get(entry.actor_user_id) if entry.actor_user_id else None
    name = user.full_name if user is not None else entry.actor_label
    return f"{kind}: {name}" if name else kind


class ValueText:
    """History's stored texts as a person reads them, for one record."""

    def __init__(self, object_type: ObjectType, currency: str | None) -> None:
        self.object_type = object_type
        self.currency = currency
        self._users: dict[int, User] = {}

    def users(self, ids: set[int]) -> dict[int, User]:
        missing = ids - set(self._users)
        if missing:
            self._users.update(User.objects.in_bulk(list(missing)))
        return self._users

    def show(self, prop: Property, text: str | None) -> str:
        if text is None:
            return "(empty)"
        if prop.money and self.currency:
            try:
                return format_money(Decimal(text), self.currency)
            except (InvalidOperation, ValueError):
                return text
        if prop.type == PropertyType.BOOL:
            return {"true": "Yes", "false": "No"}.get(text, text)
        try:
            if prop.type == PropertyType.DATETIME:
                moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                return dateformat.format(timezone.localtime(moment), "M j, Y H:i")
            if prop.type == PropertyType.DATE:
                return dateformat.format(dt.date.fromisoformat(text), "M j, Y")
        except ValueError:
            return text
        if prop.name == "hubspot_owner_id" and text.isdigit():
            user = self.users({int(text)}).get(int(text))
            return user.full_name if user else f"user {text}"
        return prop.display(text)

    def change(self, entry: Entry) -> str:
        try:
            prop = self.object_type.property(entry.property)
        except RuleViolation:  # a property since removed from the declarations
            return f"{entry.property}: {entry.old_value} → {entry.new_value}"
        new = self.show(prop, entry.new_value)
        if entry.old_value is None:
            return f"{prop.label} set to {new}"
        return f"{prop.label}: {self.show(prop, entry.old_value)} → {new}"


def describe_event(entry: Entry) -> str:
    data: dict[str, Any] = entry.data or {}
    kind = entry.event_type

    def amount() -> str:
        try:
            return format_money(Decimal(str(data.get("amount"))), str(data.get("currency")))
        except (InvalidOperation, ValueError, KeyError):
            return f"{data.get('amount', '')} {data.get('currency', '')}".strip()

    texts = {
        "invoice.created": "Created the invoice",
        "invoice.finalized": f"Finalized the invoice as {data.get('number', '')}",
        "invoice.voided": "Voided the invoice",
        "invoice.deleted": "Deleted the invoice",
        "invoice.cloned": "Created as a clone of invoice "
        + str(data.get("source_number") or f"draft {data.get('source_id', '')}"),
        "invoice.payment_recorded": f"Applied payment {data.get('payment_id', '')} of {amount()}"
        + (" (online)" if data.get("online") else ""),
        "invoice.payment_deleted": f"Deleted payment {data.get('payment_id', '')} of {amount()}",
        "invoice.edited_after_finalization": "Edited the finalized invoice"
        + (
            f"; {data['cancelled_checkouts']} open checkout(s) cancelled"
            if data.get("cancelled_checkouts")
            else ""
        ),
        "invoice.checkout_started": "The buyer started paying online",
        "invoice.email_sent": "Sent the invoice by email",
        "payment.created": "Recorded the payment",
        "payment.refunded": f"Refunded {data.get('amount', '')}",
        "payment.deleted": "Deleted the payment",
    }
    return texts.get(kind, kind.replace(".", " ").replace("_", " ").capitalize())


def edit_log_groups(
    record: models.Model, object_type: ObjectType, currency: str | None = None
) -> list[LogGroup]:
    """The edit log, newest first: one group per write, with the event it recorded (INV-32)."""
    entries = list(edit_log(record)[:EDIT_LOG_LIMIT])
    values = ValueText(object_type, currency)
    users = values.users({e.actor_user_id for e in entries if e.actor_user_id})
    # One write's property changes share their timestamp; its event is written just before or
    # just after them, so each event joins the nearest group of changes by the same actor.
    by_write: dict[tuple[str, dt.datetime], LogGroup] = {}
    for entry in entries:
        if entry.kind == Entry.Kind.CHANGE:
            who = who_did(entry, users)
            group = by_write.setdefault((who, entry.at), LogGroup(at=entry.at, who=who))
            group.changes.append(values.change(entry))
    groups = list(by_write.values())
    unpaired = list(groups)
    for entry in entries:
        if entry.kind != Entry.Kind.EVENT:
            continue
        who = who_did(entry, users)
        near = [g for g in unpaired if g.who == who and abs(g.at - entry.at) < _SAME_WRITE]
        if near:
            group = min(near, key=lambda g: abs(g.at - entry.at))
            unpaired.remove(group)
        else:
            group = LogGroup(at=entry.at, who=who)
            groups.append(group)
        group.events.append(describe_event(entry))
    return sorted(groups, key=lambda g: g.at, reverse=True)
