"""What every object endpoint shares: the caller, the adapter of the type asked for (with its
scopes), finding records by id or by another property, records as HubSpot writes them, and a
service's refusal as HubSpot's error."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from faktura.api import wire
from faktura.api.adapters import Adapter, Link, PendingLink, active, adapter_for, archived_at
from faktura.api.auth import Caller, require_scopes
from faktura.api.errors import ApiError, not_found, validation_error
from faktura.api.schemas import CreateIn, Error
from faktura.api.scopes import scopes_for
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation

ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 429: Error}


def caller(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined]


def checked_adapter(request: HttpRequest, object_type: str, *, write: bool) -> Adapter:
    adapter = adapter_for(object_type)
    if adapter is None:
        raise ApiError(
            404,
            f"Unknown object type '{object_type}'. Use one of: contacts, companies, deals, "
            "quotes, products, line_items, invoices, commerce_payments (or their ids, e.g. 0-53).",
            "OBJECT_NOT_FOUND",
        )
    require_scopes(caller(request), scopes_for(adapter.name, write=write))
    return adapter


def require_link_scopes(request: HttpRequest, links: Iterable[Link | None]) -> None:
    """Associations that change the record they point at need that type's write scope too."""
    changing = [link.to for link in links if link is not None and link.changes_target]
    require_scopes(caller(request), [s for to in changing for s in scopes_for(to, write=True)])


def require_create_scopes(
    request: HttpRequest, adapter: Adapter, items: Iterable[CreateIn]
) -> None:
    """What a create request's associations need beyond the type's own write scope."""
    specs = [
        spec for item in items for association in item.associations for spec in association.types
    ]
    require_link_scopes(
        request, [adapter.link_by_type_id(spec.associationTypeId) for spec in specs]
    )


def require_archive_scopes(request: HttpRequest, adapter: Adapter, obj: models.Model) -> None:
    """The scopes this record's archiving needs beyond the type's own (a payment applied to an
    invoice: invoice write too)."""
    if adapter.archive_scopes is not None:
        require_scopes(caller(request), adapter.archive_scopes(obj))


def archive_one(request: HttpRequest, adapter: Adapter, obj: models.Model) -> None:
    """Archive (or delete) a record, with the scopes its archiving needs."""
    require_archive_scopes(request, adapter, obj)
    run_service(adapter.archive, caller(request).actor, obj)


def names(values: Sequence[str] | None) -> list[str]:
    """`properties=a,b` or `properties=a&properties=b`."""
    return [name.strip() for value in (values or []) for name in value.split(",") if name.strip()]


def record_id(object_id: str, adapter: Adapter) -> int:
    if not object_id.isdigit() or len(object_id) > 18:
        raise not_found(adapter.object_type.singular, object_id)
    return int(object_id)


def find_record(
    adapter: Adapter,
    object_id: str,
    *,
    archived: bool = False,
    id_property: str | None = None,
) -> Any:
    """The record by id, or by another property's value (idProperty), in any of the type's
    tables; 404 in HubSpot's words when there is none."""
    prop = None
    if id_property and id_property != "hs_object_id":
        prop = adapter.object_type._by_name.get(id_property)
        if prop is None or prop.field is None:
            raise validation_error(
                f"idProperty {id_property!r} is not a property of {adapter.name} that records "
                "can be found by.",
                code="INVALID_ID_PROPERTY",
            )
    for records in adapter.querysets():
        records = active(adapter, records, archived=archived)
        if prop is not None:
            found = records.filter(**{f"{prop.field}__iexact": object_id}).order_by("pk").first()
        else:
            found = records.filter(pk=record_id(object_id, adapter)).first()
        if found is not None:
            return found
    raise not_found(adapter.object_type.singular, object_id)


def find_records(adapter: Adapter, object_ids: Sequence[str]) -> dict[str, Any]:
    """The records with these ids (not archived), in one query per table of the type; ids that
    find none are left out."""
    wanted = {
        int(object_id) for object_id in object_ids if object_id.isdigit() and len(object_id) < 19
    }
    found: dict[str, Any] = {}
    for records in adapter.querysets():
        for record in active(adapter, records, archived=False).filter(pk__in=wanted):
            found.setdefault(str(record.pk), record)
    return found


def merged(
    adapter: Adapter, pick: Callable[[models.QuerySet[Any]], list[Any]], key: Callable[[Any], Any]
) -> list[Any]:
    """Rows from each of the type's tables, in one order (only line items have two)."""
    tables = adapter.querysets()
    rows = [row for records in tables for row in pick(records)]
    return sorted(rows, key=key) if len(tables) > 1 else rows


def by_id(row: models.Model) -> Any:
    return row.pk


def pending_links(
    adapter: Adapter,
    associations: Iterable[Any],
    find: Callable[[Adapter, str], Any] = find_record,
) -> list[PendingLink]:
    """Associations of a create request, resolved: each type id must fit this object type."""
    pending: list[PendingLink] = []
    for association in associations:
        for spec in association.types:
            link = adapter.link_by_type_id(spec.associationTypeId)
            if link is None:
                raise validation_error(
                    f"Association type {spec.associationTypeId} does not start at {adapter.name}.",
                    code="INVALID_ASSOCIATION_TYPE",
                )
            target = adapter_for(link.to)
            if target is None:
                raise validation_error(f"{link.to} records cannot be associated yet.")
            pending.append(PendingLink(link, find(target, association.to.id)))
    return pending


def refused(violation: RuleViolation) -> ApiError:
    if violation.code == "not_found":
        return ApiError(404, violation.reason, "OBJECT_NOT_FOUND")
    if violation.code == "permission_denied":
        return ApiError(
            403,
            f"{violation.reason} The token acts for the user who created it: create one as a "
            "user with that role (or with `manage.py create_api_token`, for the system).",
            "FORBIDDEN",
        )
    return validation_error(violation.reason, code=violation.code.upper())


def run_service[**P, T](action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Call a service; its refusal becomes the API's error."""
    try:
        return action(*args, **kwargs)
    except RuleViolation as violation:
        raise refused(violation) from None


def atomic[**P, T](action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    with transaction.atomic():
        return action(*args, **kwargs)


def records_out(
    adapter: Adapter,
    objs: Sequence[models.Model],
    names: Sequence[str] | None = None,
    with_history: Sequence[str] = (),
    associations: Sequence[str] = (),
) -> list[dict[str, Any]]:
    properties = wire.requested_properties(adapter, names)
    history = wire.histories(adapter, objs, with_history) if with_history else {}
    return [
        wire.record(
            adapter,
            obj,
            properties,
            history=history.get(obj.pk) if with_history else None,
            associations=_associations(adapter, obj, associations),
        )
        for obj in objs
    ]


def _associations(adapter: Adapter, obj: Any, targets: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for target in targets:
        target_adapter = adapter_for(target)
        link = adapter.link_to(target_adapter.name) if target_adapter else None
        if link is None:
            continue  # HubSpot leaves out what it cannot associate
        found[link.to] = {"results": [{"id": str(pk), "type": link.label} for pk in link.ids(obj)]}
    return found


def reload(adapter: Adapter, obj: models.Model, names: Sequence[str] | None) -> dict[str, Any]:
    """The record as stored after a write, as HubSpot answers it."""
    fresh = find_record(adapter, str(obj.pk), archived=archived_at(adapter, obj) is not None)
    return records_out(adapter, [fresh], names)[0]


def create_one(adapter: Adapter, actor: Actor, item: CreateIn) -> models.Model:
    """One record of a create request, with the associations it names."""
    values = wire.incoming(adapter, item.properties)
    return run_service(atomic, _create_with_links, adapter, actor, values, item.associations)


def _create_with_links(
    adapter: Adapter, actor: Actor, values: dict[str, Any], associations: list[Any]
) -> models.Model:
    return adapter.create(actor, values, pending_links(adapter, associations))
