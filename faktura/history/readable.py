"""History as a person reads it: a record's edit log grouped by write, values in their display
form, and who acted (INV-16, INV-32). Every record page shows its log through this module; an
app passes the texts of its own events (`describe_event`)."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import dateformat, timezone

from faktura.accounts.models import User
from faktura.core.actors import ActorKind
from faktura.core.errors import RuleViolation
from faktura.core.money import currency_of, format_money
from faktura.core.properties import ObjectType, Property, PropertyType, object_type_for
from faktura.core.references import RecordNames, referred_model
from faktura.history.models import Entry
from faktura.history.queries import edit_log

EDIT_LOG_LIMIT = 300
# One write's entries share an actor and fall within this span.
_SAME_WRITE = dt.timedelta(seconds=1)
# History of values that are not declared properties (a deal's line items, as text).
_UNDECLARED_LABELS = {"line_items": "Line items"}


@dataclass
class LogGroup:
    """What one actor did in one write: its events, then the values it set."""

    at: dt.datetime
    who: str
    events: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[str]:
        # Oldest first inside the write, events before the values they set.
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
    """History's stored texts as a person reads them, for one record: the records that ids name
    (an owner, a deal) by their names as they are now."""

    def __init__(self, object_type: ObjectType, currency: str | None) -> None:
        self.object_type = object_type
        self.currency = currency
        self.records = RecordNames()

    def users(self, ids: set[int]) -> dict[int, User]:
        return self.records.load(User, ids)

    def preload(self, entries: Iterable[Entry]) -> None:
        """Load the records these entries' values name: a query per kind of record."""
        wanted: dict[type[models.Model], set[int]] = {}
        for entry in entries:
            prop = self.object_type._by_name.get(entry.property)
            model = referred_model(self.object_type.model, prop) if prop else None
            if model is not None:
                texts = (entry.old_value, entry.new_value)
                wanted.setdefault(model, set()).update(int(t) for t in texts if t and t.isdigit())
        for model, ids in wanted.items():
            self.records.load(model, ids)

    def show(self, prop: Property, text: str | None) -> str:
        if text is None:
            return "(empty)"
        try:
            if prop.money and self.currency:
                return format_money(Decimal(text), self.currency)
            if prop.type == PropertyType.DATETIME:
                moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                return dateformat.format(timezone.localtime(moment), "M j, Y H:i")
            if prop.type == PropertyType.DATE:
                return dateformat.format(dt.date.fromisoformat(text), "M j, Y")
        except (InvalidOperation, ValueError):
            return text
        if prop.type == PropertyType.BOOL:
            return {"true": "Yes", "false": "No"}.get(text, text)
        if (model := referred_model(self.object_type.model, prop)) is not None:
            return self.records.name(model, text)
        return prop.display(text)

    def change(self, entry: Entry) -> str:
        try:
            prop = self.object_type.property(entry.property)
        except RuleViolation:  # undeclared (line items as text), or since removed
            label = _UNDECLARED_LABELS.get(entry.property, entry.property)
            old, new = entry.old_value or "(none)", entry.new_value or "(none)"
            return f"{label} set to {new}" if entry.old_value is None else f"{label}: {old} → {new}"
        new = self.show(prop, entry.new_value)
        if entry.old_value is None:
            return f"{prop.label} set to {new}"
        return f"{prop.label}: {self.show(prop, entry.old_value)} → {new}"


def describe_any_event(entry: Entry) -> str:
    """An event in plain words when its app gives no text of its own: the `summary` an app
    to the right stored with it, else words made from its name."""
    if isinstance(summary := (entry.data or {}).get("summary"), str) and summary:
        return summary
    object_type, _, action = entry.event_type.partition(".")
    if action in ("created", "archived", "restored"):
        return f"{action.capitalize()} the {object_type.replace('_', ' ')}"
    return entry.event_type.replace(".", " ").replace("_", " ").capitalize()


def edit_log_groups(
    record: models.Model,
    describe_event: Callable[[Entry], str] = describe_any_event,
) -> list[LogGroup]:
    """The record's edit log, newest first: one group per write, with the event it recorded."""
    entries = list(edit_log(record)[:EDIT_LOG_LIMIT])
    values = ValueText(object_type_for(record), currency_of(record))
    values.preload(entries)
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


@dataclass(frozen=True)
class ArchiveNote:
    """What an archived record's page says about it: since when, and who archived it."""

    at: dt.datetime
    who: str


def archive_note(record: models.Model) -> ArchiveNote | None:
    """None while the record is active; otherwise when it was archived and by whom (the
    latest `<type>.archived` event)."""
    object_type = object_type_for(record)
    archived_at = object_type.archived_at(record)
    if archived_at is None:
        return None
    entry = (
        edit_log(record)
        .filter(kind=Entry.Kind.EVENT, event_type=f"{object_type.singular}.archived")
        .first()
    )
    if entry is None:  # archived outside the services: say when, not who
        return ArchiveNote(archived_at, "")
    user = entry.actor_user if entry.actor_user_id else None
    who = user.full_name if isinstance(user, User) else who_did(entry, {})
    return ArchiveNote(archived_at, who)
