"""Contacts and companies, and the notes and tasks on any record."""

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from faktura.accounts.models import User
from faktura.accounts.permissions import can_edit_records
from faktura.core.actors import Actor, ActorKind
from faktura.core.errors import RuleViolation, require
from faktura.core.properties import ObjectType, object_types
from faktura.crm.models import Activity, Company, Contact
from faktura.history import services as history
from faktura.history.records import (
    archive_record,
    create_record,
    not_archived,
    restore_record,
    update_record,
)


def create_contact(*, actor: Actor, **values: Any) -> Contact:
    require(can_edit_records(actor))
    if not any(values.get(key) for key in ("email", "firstname", "lastname")):
        raise RuleViolation("A contact needs at least an email address or a name.")
    return create_record(Contact, actor=actor, values=values)


def update_contact(contact: Contact, *, actor: Actor, values: Mapping[str, Any]) -> Contact:
    require(can_edit_records(actor))
    return update_record(contact, actor=actor, values=values)


def create_company(*, actor: Actor, **values: Any) -> Company:
    require(can_edit_records(actor))
    if not values.get("name"):
        raise RuleViolation("A company needs a name.")
    return create_record(Company, actor=actor, values=values)


def update_company(company: Company, *, actor: Actor, values: Mapping[str, Any]) -> Company:
    require(can_edit_records(actor))
    return update_record(company, actor=actor, values=values)


def archive_contact(contact: Contact, *, actor: Actor) -> Contact:
    """Archive (HubSpot's delete): gone from lists and pickers, kept on its deals, quotes,
    invoices and companies, restorable."""
    require(can_edit_records(actor))
    return archive_record(contact, actor=actor)


def restore_contact(contact: Contact, *, actor: Actor) -> Contact:
    require(can_edit_records(actor))
    return restore_record(contact, actor=actor)


def archive_company(company: Company, *, actor: Actor) -> Company:
    """Archive (HubSpot's delete): gone from lists and pickers, kept on its contacts, deals,
    quotes and invoices, restorable."""
    require(can_edit_records(actor))
    return archive_record(company, actor=actor)


def restore_company(company: Company, *, actor: Actor) -> Company:
    require(can_edit_records(actor))
    return restore_record(company, actor=actor)


def associate_contact_with_company(contact: Contact, company: Company, *, actor: Actor) -> None:
    """Tie a contact to a company; doing it twice changes nothing and records nothing. Neither
    may be archived."""
    require(can_edit_records(actor))
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.companies.filter(pk=company.pk).exists():
            return
        require(not_archived(contact, to="be added to a company"))
        require(not_archived(company, to="be added to a contact"))
        contact.companies.add(company)
        history.record_event(
            contact, "contact.association_added", actor=actor, data={"company": company.pk}
        )
        history.record_event(
            company, "company.association_added", actor=actor, data={"contact": contact.pk}
        )


def dissociate_contact_from_company(contact: Contact, company: Company, *, actor: Actor) -> None:
    require(can_edit_records(actor))
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if not contact.companies.filter(pk=company.pk).exists():
            raise RuleViolation(
                f"{contact} is not associated with {company.name}, so there is nothing to "
                "remove. Reload the page to see the current associations."
            )
        contact.companies.remove(company)
        history.record_event(
            contact, "contact.association_removed", actor=actor, data={"company": company.pk}
        )
        history.record_event(
            company, "company.association_removed", actor=actor, data={"contact": contact.pk}
        )


# --- notes and tasks (HubSpot's engagements) on a record of any type, named by its object
# type's singular name and id. Each one added or completed is an event in the record's history.

# HubSpot's limit for a note's body.
BODY_LIMIT = 65_536
TITLE_LIMIT = 200
SOURCE_KEY_LIMIT = 120


def create_note(
    *,
    actor: Actor,
    object_type: str,
    object_id: int,
    body: str,
    source_key: str | None = None,
) -> Activity:
    """A note on the record. With a `source_key` already used, the note it made is returned
    and nothing new is written: a workflow step that runs twice adds one note (WF-4)."""
    require(can_edit_records(actor))
    text = _clean_body(body, what="note")
    if not text:
        raise RuleViolation(
            "A note needs some text: write what happened or what to remember.", code="empty_note"
        )
    return _create_activity(
        actor=actor,
        kind=Activity.Kind.NOTE,
        object_type=object_type,
        object_id=object_id,
        source_key=source_key,
        values={"body": text},
    )


def create_task(
    *,
    actor: Actor,
    object_type: str,
    object_id: int,
    title: str,
    body: str = "",
    due_at: dt.datetime | None = None,
    owner: User | None = None,
    source_key: str | None = None,
) -> Activity:
    """A task on the record, optionally due at a time and assigned to a user. With a
    `source_key` already used, the task it made is returned and nothing new is written."""
    require(can_edit_records(actor))
    values = {
        "title": _clean_title(title),
        "body": _clean_body(body, what="task description"),
        "due_at": _clean_due_at(due_at),
        "owner": _clean_owner(owner),
    }
    return _create_activity(
        actor=actor,
        kind=Activity.Kind.TASK,
        object_type=object_type,
        object_id=object_id,
        source_key=source_key,
        values=values,
    )


def complete_task(task: Activity, *, actor: Actor) -> Activity:
    """Mark a task done. Completing a done task again changes nothing (a double click)."""
    require(can_edit_records(actor))
    with transaction.atomic():
        task = Activity.objects.select_for_update().get(pk=task.pk)
        if task.kind != Activity.Kind.TASK:
            raise RuleViolation(
                "Only a task can be marked done; this is a note.", code="not_a_task"
            )
        if task.completed_at is not None:
            return task
        task.completed_at = timezone.now()
        task.save(update_fields=["completed_at"])
        # The record may have been deleted since (invoices and payments can be): no event then.
        record = _find_record(task.object_type, task.object_id)
        if record is not None:
            history.record_event(
                record,
                f"{task.object_type}.task_completed",
                actor=actor,
                data={"activity_id": task.pk, "title": task.title},
            )
    return task


def _create_activity(
    *,
    actor: Actor,
    kind: Activity.Kind,
    object_type: str,
    object_id: int,
    source_key: str | None,
    values: Mapping[str, Any],
) -> Activity:
    key = _stored_key(source_key)
    if key is not None and (existing := _made_with(key, kind, object_type, object_id)):
        return existing
    record = _record(object_type, object_id, kind)
    try:
        # A savepoint: inside a caller's transaction (a workflow step) a duplicate key
        # leaves that transaction usable.
        with transaction.atomic():
            activity = Activity.objects.create(
                kind=kind,
                object_type=object_type,
                object_id=record.pk,
                created_by_label=_created_by(actor),
                source_key=key,
                **values,
            )
            history.record_event(
                record,
                f"{object_type}.{kind}_added",
                actor=actor,
                data={"activity_id": activity.pk, "title": activity.title},
            )
    except IntegrityError:
        # Another run with the same key committed first: its activity is this one.
        if key is None or (existing := _made_with(key, kind, object_type, object_id)) is None:
            raise
        return existing
    return activity


def _made_with(key: str, kind: str, object_type: str, object_id: int) -> Activity | None:
    """The activity a source key already made; refused if that one is not the same kind of
    activity on the same record (two different steps must never share a key)."""
    existing = Activity.objects.filter(source_key=key).first()
    if existing is None:
        return None
    if (existing.kind, existing.object_type, existing.object_id) != (kind, object_type, object_id):
        raise RuleViolation(
            f"The key “{key}” already made a {existing.get_kind_display().lower()} on "
            f"{existing.object_type} {existing.object_id}, so it cannot make a {kind} on "
            f"{object_type} {object_id}. Each step needs a key of its own.",
            code="source_key_reused",
        )
    return existing


def _stored_key(source_key: str | None) -> str | None:
    """The key as stored: a key longer than the column is stored as its hash, so every key
    works and the same key always finds the same row."""
    if source_key is None or source_key == "":
        return None
    if len(source_key) <= SOURCE_KEY_LIMIT:
        return source_key
    return "sha256:" + hashlib.sha256(source_key.encode()).hexdigest()


def _object_type(singular: str) -> ObjectType | None:
    return next((kind for kind in object_types if kind.singular == singular), None)


def _find_record(object_type: str, object_id: int) -> models.Model | None:
    kind = _object_type(object_type)
    if kind is None:
        return None
    record: models.Model | None = kind.model._default_manager.filter(pk=object_id).first()
    return record


def _record(object_type: str, object_id: int, kind: str) -> models.Model:
    """The record an activity goes on, found through the declared object types (so crm needs
    no import of the apps that own them)."""
    if _object_type(object_type) is None:
        known = ", ".join(sorted(t.singular for t in object_types))
        raise RuleViolation(
            f"A {kind} cannot go on “{object_type}”: that is not a type of record. "
            f"Use one of: {known}.",
            code="unknown_object_type",
        )
    if isinstance(object_id, bool) or not isinstance(object_id, int):
        raise RuleViolation(
            f"“{object_id}” is not a record id; a {kind} needs the id of the {object_type} "
            "it goes on.",
            code="invalid_record_id",
        )
    record = _find_record(object_type, object_id)
    if record is None:
        raise RuleViolation(
            f"There is no {object_type} {object_id} to add a {kind} to; it may have been "
            "deleted. Reload the page to see the current records.",
            code="record_not_found",
        )
    return record


def _created_by(actor: Actor) -> str:
    """Who or what made an activity, as the activities panel shows it."""
    name = ""
    if actor.user is not None:
        name = getattr(actor.user, "full_name", "") or actor.user.get_username()
    if actor.kind == ActorKind.USER and name:
        label = name
    elif actor.kind == ActorKind.WORKFLOW:
        # The engine's actors are already labelled "Workflow “Won deals”"; others by name only.
        named = actor.label.startswith("Workflow")
        label = actor.label if named else f"Workflow “{actor.label}”" if actor.label else "Workflow"
    elif actor.kind == ActorKind.API and name:
        label = f"{name} (API)"
    else:
        label = actor.describe()
    return label[:200]


def _clean_body(body: object, *, what: str) -> str:
    if body is None:
        return ""
    if not isinstance(body, str):
        raise RuleViolation(f"The {what} must be text.", code="invalid_body")
    text = body.strip()
    if len(text) > BODY_LIMIT:
        raise RuleViolation(
            f"A {what} can be at most {BODY_LIMIT:,} characters; this one has {len(text):,}. "
            "Shorten it, or split it in two.",
            code="body_too_long",
        )
    return text


def _clean_title(title: object) -> str:
    text = title.strip() if isinstance(title, str) else ""
    if not text:
        raise RuleViolation(
            "A task needs a title: say in a few words what is to be done.", code="empty_title"
        )
    if len(text) > TITLE_LIMIT:
        raise RuleViolation(
            f"A task title can be at most {TITLE_LIMIT} characters; this one has {len(text)}. "
            "Move the details into the task's description.",
            code="title_too_long",
        )
    return text


def _clean_due_at(due_at: object) -> dt.datetime | None:
    if due_at is None:
        return None
    if not isinstance(due_at, dt.datetime):
        raise RuleViolation(
            f"A task's due date must be a date and a time of day, not “{due_at}”.",
            code="invalid_due_date",
        )
    # A time without a zone is read in Faktura's own time zone.
    return timezone.make_aware(due_at) if timezone.is_naive(due_at) else due_at


def _clean_owner(owner: object) -> User | None:
    if owner is None:
        return None
    if not isinstance(owner, User):
        raise RuleViolation("A task's owner must be a Faktura user.", code="invalid_owner")
    if not owner.is_active:
        raise RuleViolation(
            f"{owner.full_name} is deactivated, so a task cannot be assigned to them. "
            "Pick an active user.",
            code="inactive_owner",
        )
    return owner
