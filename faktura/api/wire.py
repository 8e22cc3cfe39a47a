"""Records and values as HubSpot's API writes and reads them: every property value a string,
moments ISO-8601 in UTC with a Z, dates accepted as ISO text or epoch milliseconds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import models

from faktura.api.adapters import Adapter, archived_at
from faktura.api.errors import ApiError, validation_error
from faktura.core.actors import ActorKind
from faktura.core.errors import RuleViolation
from faktura.core.properties import Property, check_single_value, load_for_reading
from faktura.core.properties import PropertyType as T
from faktura.history.models import Entry

CREATED = ("hs_createdate", "createdate")
UPDATED = ("hs_lastmodifieddate", "lastmodifieddate")
# Who changed a value, as HubSpot's propertiesWithHistory names the source.
SOURCE_TYPES = {
    ActorKind.USER: "CRM_UI",
    ActorKind.API: "API",
    ActorKind.WORKFLOW: "AUTOMATION_PLATFORM",
    ActorKind.INTEGRATION: "INTEGRATION",
    ActorKind.SYSTEM: "INTERNAL_PROCESSING",
}


def moment(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def property_text(prop: Property, value: Any) -> str | None:
    """A value as HubSpot sends it: always text; moments with milliseconds and Z."""
    if isinstance(value, dt.datetime):
        return moment(value)
    return prop.to_text(value)


def _first_value(adapter: Adapter, obj: models.Model, names: Sequence[str]) -> Any:
    for name in names:
        if name in adapter.object_type._by_name:
            return adapter.object_type.property(name).read(obj)
    return None


def requested_properties(adapter: Adapter, names: Iterable[str] | None) -> list[Property]:
    """The properties to send: those asked for that exist (HubSpot ignores unknown names
    on reads), else the type's defaults."""
    object_type = adapter.object_type
    wanted = [n for n in (names or []) if n]
    chosen = [n for n in wanted if n in object_type._by_name] if wanted else []
    if not chosen:
        chosen = list(adapter.default_properties)
    for always in ("hs_object_id", *CREATED, *UPDATED):
        if always in object_type._by_name and always not in chosen:
            chosen.append(always)
    return [object_type.property(n) for n in chosen]


def loaded(queryset: models.QuerySet[Any], properties: Sequence[Property]) -> Any:
    return load_for_reading(queryset, properties)


def record(
    adapter: Adapter,
    obj: models.Model,
    properties: Sequence[Property],
    *,
    history: Mapping[str, list[dict[str, Any]]] | None = None,
    associations: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """SimplePublicObject (with history and associations when asked for)."""
    created = _first_value(adapter, obj, CREATED)
    updated = _first_value(adapter, obj, UPDATED) or created
    gone = archived_at(adapter, obj)
    body: dict[str, Any] = {
        "id": str(obj.pk),
        "properties": {p.name: property_text(p, p.read(obj)) for p in properties},
        "createdAt": moment(created),
        "updatedAt": moment(updated),
        "archived": gone is not None,
    }
    if gone is not None:
        body["archivedAt"] = moment(gone)
    if history is not None:
        body["propertiesWithHistory"] = history
    if associations:
        body["associations"] = associations
    return body


def histories(
    adapter: Adapter, objects: Sequence[models.Model], names: Iterable[str]
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """propertiesWithHistory for several records in one query: newest first, per property."""
    object_type = adapter.object_type
    wanted = [n for n in names if n in object_type._by_name]
    result: dict[int, dict[str, list[dict[str, Any]]]] = {
        obj.pk: {n: [] for n in wanted} for obj in objects
    }
    if not wanted or not objects:
        return result
    entries = Entry.objects.filter(
        object_type=object_type.singular,
        object_id__in=[obj.pk for obj in objects],
        kind=Entry.Kind.CHANGE,
        property__in=wanted,
    ).order_by("-at", "-id")
    for entry in entries:
        result[entry.object_id][entry.property].append(
            {
                "value": entry.new_value if entry.new_value is not None else "",
                "timestamp": moment(entry.at),
                "sourceType": SOURCE_TYPES.get(ActorKind(entry.actor_kind), "UNKNOWN"),
                "sourceId": f"userId:{entry.actor_user_id}" if entry.actor_user_id else None,
                "sourceLabel": entry.actor_label or None,
                "updatedByUserId": entry.actor_user_id,
            }
        )
    return result


# --- values coming in ------------------------------------------------------------------------


def incoming(adapter: Adapter, properties: Mapping[str, Any]) -> dict[str, Any]:
    """Property values from a request, checked against the declarations; unknown names and
    values of the wrong kind are refused as HubSpot does (400 VALIDATION_ERROR)."""
    object_type = adapter.object_type
    unknown = [n for n in properties if n not in object_type._by_name]
    if unknown:
        raise ApiError(
            400,
            "Property values were not valid: "
            + ", ".join(f'Property "{n}" does not exist' for n in unknown),
            "VALIDATION_ERROR",
            errors=[
                {
                    "message": f'Property "{n}" does not exist',
                    "code": "PROPERTY_DOESNT_EXIST",
                    "context": {"propertyName": [n]},
                }
                for n in unknown
            ],
        )
    return {
        name: _incoming_value(object_type.property(name), value)
        for name, value in properties.items()
    }


def _incoming_value(prop: Property, value: Any) -> Any:
    if value is None:
        return ""
    try:
        check_single_value(prop, value)
    except RuleViolation as refusal:
        raise validation_error(refusal.reason, propertyName=prop.name) from None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        value = str(value)
    text = str(value)
    if prop.type in (T.DATE, T.DATETIME) and text.strip().lstrip("-").isdigit():
        return _epoch(prop, int(text))
    if prop.type == T.DATETIME and text:
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise validation_error(
                f"{text} is not a valid datetime for {prop.name}: use ISO-8601 "
                "(2026-11-23T10:00:00Z) or epoch milliseconds.",
                propertyName=prop.name,
            ) from None
    return text


def _epoch(prop: Property, number: int) -> dt.date | dt.datetime:
    """Epoch milliseconds, or seconds (HubSpot's own docs send both)."""
    seconds = number / 1000 if abs(number) >= 100_000_000_000 else number
    try:
        moment_ = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise validation_error(
            f"{number} is out of range for {prop.name}.", propertyName=prop.name
        ) from None
    return moment_ if prop.type == T.DATETIME else moment_.date()
