"""What every CRM record page shows beside the record: its properties and its edit log.

Used by the pages of contacts and companies here and of products, deals and quotes in sales.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import dateformat, timezone

from faktura.accounts.models import User
from faktura.core.actors import ActorKind
from faktura.core.money import CURRENCIES, format_money
from faktura.core.properties import ObjectType, Property, PropertyType, object_type_for
from faktura.crm.models import Company, Contact
from faktura.history.models import Entry
from faktura.history.queries import edit_log
from faktura.listings.columns import Cell, cell

EDIT_LOG_LIMIT = 200
# One write's entries share an actor and fall within this span.
_SAME_WRITE = dt.timedelta(seconds=1)
# History of values that are not declared properties (a document's line items, as text).
_UNDECLARED_LABELS = {"line_items": "Line items"}


@dataclass(frozen=True)
class PropertyRow:
    name: str
    label: str
    cell: Cell


def property_rows(record: models.Model) -> list[PropertyRow]:
    """Every declared property of the record, with its value as a person reads it."""
    return [
        PropertyRow(p.name, p.label, cell(p, record)) for p in object_type_for(record).properties
    ]


@dataclass
class LogGroup:
    """What one actor did in one write: its events, then the values it set."""

    at: dt.datetime
    who: str
    events: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[str]:
        return [*reversed(self.events), *reversed(self.changes)]

    @property
    def when(self) -> str:
        return dateformat.format(timezone.localtime(self.at), "M j, Y H:i:s")


class _Names:
    """Names of the users, contacts and companies that history rows refer to by id."""

    def __init__(self, entries: list[Entry]) -> None:
        user_ids = {e.actor_user_id for e in entries if e.actor_user_id}
        contact_ids: set[int] = set()
        company_ids: set[int] = set()
        for entry in entries:
            if entry.property == "hubspot_owner_id":
                for text in (entry.old_value, entry.new_value):
                    if text and text.isdigit():
                        user_ids.add(int(text))
            data = entry.data or {}
            if isinstance(data.get("contact"), int):
                contact_ids.add(data["contact"])
            if isinstance(data.get("company"), int):
                company_ids.add(data["company"])
        self.users = User.objects.in_bulk(list(user_ids))
        self.contacts = Contact.objects.in_bulk(list(contact_ids))
        self.companies = Company.objects.in_bulk(list(company_ids))

    def user(self, pk: int) -> str:
        user = self.users.get(pk)
        return user.full_name if user is not None else f"user {pk}"

    def associated(self, data: dict[str, Any]) -> str:
        if isinstance(pk := data.get("contact"), int):
            contact = self.contacts.get(pk)
            return f"contact {contact}" if contact else f"contact {pk} (since deleted)"
        if isinstance(pk := data.get("company"), int):
            company = self.companies.get(pk)
            return f"company {company}" if company else f"company {pk} (since deleted)"
        return "a record"


def _who(entry: Entry, names: _Names) -> str:
    """User, API, workflow, integration or system, with the name (INV-32)."""
    kind = ActorKind(entry.actor_kind).label if entry.actor_kind in ActorKind.values else "?"
    name = names.user(entry.actor_user_id) if entry.actor_user_id else entry.actor_label
    return f"{kind}: {name}" if name else kind


def _show(prop: Property, text: str | None, currency: str | None, names: _Names) -> str:
    if text is None:
        return "(empty)"
    try:
        if prop.money and currency:
            return format_money(Decimal(text), currency)
        if prop.type == PropertyType.DATETIME:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return dateformat.format(timezone.localtime(moment), "M j, Y H:i")
        if prop.type == PropertyType.DATE:
            return dateformat.format(dt.date.fromisoformat(text), "M j, Y")
    except (ValueError, InvalidOperation):
        return text
    if prop.type == PropertyType.BOOL:
        return {"true": "Yes", "false": "No"}.get(text, text)
    if prop.name == "hubspot_owner_id" and text.isdigit():
        return names.user(int(text))
    return prop.display(text)


def _change(entry: Entry, object_type: ObjectType, currency: str | None, names: _Names) -> str:
    declared = {p.name: p for p in object_type.properties}
    prop = declared.get(entry.property)
    if prop is None:
        label = _UNDECLARED_LABELS.get(entry.property, entry.property)
        old, new = entry.old_value or "(none)", entry.new_value or "(none)"
        return f"{label} set to {new}" if entry.old_value is None else f"{label}: {old} → {new}"
    new = _show(prop, entry.new_value, currency, names)
    if entry.old_value is None:
        return f"{prop.label} set to {new}"
    return f"{prop.label}: {_show(prop, entry.old_value, currency, names)} → {new}"


def _event(entry: Entry, names: _Names) -> str:
    _, _, action = entry.event_type.partition(".")
    data: dict[str, Any] = entry.data or {}
    if action == "created":
        return f"Created the {entry.object_type.replace('_', ' ')}"
    if action == "association_added":
        return f"Added {names.associated(data)}"
    if action == "association_removed":
        return f"Removed {names.associated(data)}"
    return entry.event_type.replace(".", " ").replace("_", " ").capitalize()


def edit_log_groups(record: models.Model) -> list[LogGroup]:
    """The record's edit log, newest first: who changed what, and when (INV-32)."""
    object_type = object_type_for(record)
    currency = getattr(record, "currency", None)
    currency = currency if currency in CURRENCIES else None
    entries = list(edit_log(record)[:EDIT_LOG_LIMIT])
    names = _Names(entries)
    groups: list[LogGroup] = []
    for entry in entries:  # newest first
        who = _who(entry, names)
        current = groups[-1] if groups else None
        if current is None or current.who != who or current.at - entry.at > _SAME_WRITE:
            current = LogGroup(at=entry.at, who=who)
            groups.append(current)
        if entry.kind == Entry.Kind.EVENT:
            current.events.append(_event(entry, names))
        else:
            current.changes.append(_change(entry, object_type, currency, names))
    return groups
