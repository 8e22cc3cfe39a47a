"""Write history in the same transaction as the change it describes."""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.core.properties import object_type_for, record_type
from faktura.history.models import Entry


def _base(obj: models.Model, actor: Actor) -> dict[str, Any]:
    return {
        "object_type": record_type(obj),
        "object_id": obj.pk,
        "actor_kind": actor.kind,
        "actor_user_id": actor.user.pk if actor.user is not None else None,
        "actor_label": actor.label,
        "at": timezone.now(),
    }


def record_changes(
    obj: models.Model,
    before: Mapping[str, str | None],
    after: Mapping[str, str | None],
    *,
    actor: Actor,
) -> list[Entry]:
    """One row per property whose value differs between two snapshots (old and new value)."""
    base = _base(obj, actor)
    entries = [
        Entry(
            kind=Entry.Kind.CHANGE, property=name, old_value=before.get(name), new_value=new, **base
        )
        for name, new in after.items()
        if before.get(name) != new
    ]
    return Entry.objects.bulk_create(entries)


def record_created(obj: models.Model, *, actor: Actor) -> list[Entry]:
    """A 'created' event plus the initial value of every property that has one."""
    record_event(obj, f"{object_type_for(obj).singular}.created", actor=actor)
    return record_changes(obj, {}, object_type_for(obj).snapshot(obj), actor=actor)


def record_event(
    obj: models.Model, event_type: str, *, actor: Actor, data: Mapping[str, Any] | None = None
) -> Entry:
    return Entry.objects.create(
        kind=Entry.Kind.EVENT, event_type=event_type, data=dict(data or {}), **_base(obj, actor)
    )
