"""Create, update, archive and restore simple CRM records from declared properties, with
history.

Used by the services of contacts, companies, products, deals and quotes: their writable
properties map one-to-one onto model fields, and their types declare how they are archived
(`ObjectType.archive_field`), so one routine serves them all. Who may do it is checked by each
type's service before calling in.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.core.dates import check_business_date
from faktura.core.errors import ALLOWED, Decision, RuleViolation, refuse, require
from faktura.core.properties import ObjectType, PropertyType, object_type_for, parse_value
from faktura.history import services as history


def _assign(obj: models.Model, object_type: ObjectType, values: Mapping[str, Any]) -> None:
    for name, raw in values.items():
        prop = object_type.property(name)
        if prop.read_only or prop.compute is not None or not prop.field or "__" in prop.field:
            raise RuleViolation(f"{prop.label} ({name}) is set by Faktura and cannot be written.")
        value = parse_value(prop, raw)
        if prop.type == PropertyType.DATE and value is not None:
            # Every date of these records (close, expiration) is a business date.
            check_business_date(value, field=prop.label)
        setattr(obj, prop.field, value)


def validate(obj: models.Model) -> None:
    """Model field validation, reported as one sentence per problem."""
    try:
        obj.full_clean(validate_unique=True, validate_constraints=True)
    except ValidationError as error:
        problems = [
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in error.message_dict.items()
        ]
        raise RuleViolation(
            "Please correct: " + "; ".join(problems), code="invalid_value"
        ) from None


def create_record[M: models.Model](
    model: type[M], *, actor: Actor, values: Mapping[str, Any], **fields: Any
) -> M:
    obj = model(**fields)
    _assign(obj, object_type_for(model), values)
    validate(obj)
    with transaction.atomic():
        obj.save()
        history.record_created(obj, actor=actor)
    return obj


def update_record[M: models.Model](obj: M, *, actor: Actor, values: Mapping[str, Any]) -> M:
    object_type = object_type_for(obj)
    with transaction.atomic():
        obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        require(not_archived(obj, to="be changed"))
        before = object_type.snapshot(obj)
        _assign(obj, object_type, values)
        validate(obj)
        obj.save()
        history.record_changes(obj, before, object_type.snapshot(obj), actor=actor)
    return obj


# --- archiving: HubSpot's DELETE of a CRM record, which goes to a recycling bin ---------------


def _named(obj: models.Model) -> str:
    return f"The {object_type_for(obj).singular.replace('_', ' ')} '{obj}'"


def not_archived(obj: models.Model, *, to: str) -> Decision:
    """An archived record is read-only and cannot be newly associated until it is restored.
    `to` says what was asked: "be changed", "be added to a deal". Asks the database, as the
    caller's copy of a record it did not lock may be older than an archive."""
    object_type = object_type_for(obj)
    stored = object_type.archived(type(obj)._default_manager.filter(pk=obj.pk))
    if not stored.exists():
        return ALLOWED
    return refuse(f"{_named(obj)} is archived, so it cannot {to}. Restore it first.", "archived")


def can_archive(obj: models.Model) -> Decision:
    object_type = object_type_for(obj)
    if not object_type.archivable:
        return refuse(f"{object_type.label} cannot be archived.", "not_archivable")
    if object_type.archived_at(obj) is not None:
        return refuse(f"{_named(obj)} is already archived.", "already_archived")
    return ALLOWED


def can_restore(obj: models.Model) -> Decision:
    object_type = object_type_for(obj)
    if not object_type.archivable or object_type.archived_at(obj) is None:
        return refuse(
            f"{_named(obj)} is not archived, so there is nothing to restore.", "not_archived"
        )
    return ALLOWED


def archive_record[M: models.Model](obj: M, *, actor: Actor) -> M:
    """Hide the record from index pages, pickers and search; its associations and history stay,
    so restoring it brings it back as it was."""
    return _set_archived(obj, archived=True, actor=actor)


def restore_record[M: models.Model](obj: M, *, actor: Actor) -> M:
    return _set_archived(obj, archived=False, actor=actor)


def _set_archived[M: models.Model](obj: M, *, archived: bool, actor: Actor) -> M:
    object_type = object_type_for(obj)
    with transaction.atomic():
        obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        require(can_archive(obj) if archived else can_restore(obj))
        assert object_type.archive_field is not None  # can_archive/can_restore checked it
        setattr(obj, object_type.archive_field, timezone.now() if archived else None)
        # Archiving counts as a change: the last-modified date (an auto_now field) moves too.
        touched = [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
        obj.save(update_fields=[object_type.archive_field, *touched])
        event = "archived" if archived else "restored"
        history.record_event(obj, f"{object_type.singular}.{event}", actor=actor)
    return obj
