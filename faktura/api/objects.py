"""HubSpot's CRM objects endpoints for every object type (reference §C3): create, read, list,
update, archive, batch create/read/update/upsert/archive and search, with HubSpot's status
codes. Served under /crm/v3/objects/{type} and /crm/objects/2026-03/{type}."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from faktura.api import search as hs_search
from faktura.api import wire
from faktura.api.adapters import Adapter, PendingLink, active, adapter_for, archived_at
from faktura.api.auth import Caller, require_scopes
from faktura.api.errors import ApiError, not_found, validation_error
from faktura.api.schemas import (
    BatchArchiveIn,
    BatchCreateIn,
    BatchReadIn,
    BatchResult,
    BatchUpdateIn,
    BatchUpsertResult,
    Collection,
    CollectionWithTotal,
    CreateIn,
    Error,
    PublicObject,
    SearchIn,
    UpdateIn,
)
from faktura.api.scopes import scopes_for
from faktura.core.errors import RuleViolation

MAX_BATCH = 100
MAX_PAGE = 100
MAX_PAGE_WITH_HISTORY = 50
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


def _names(values: Sequence[str] | None) -> list[str]:
    """`properties=a,b` or `properties=a&properties=b`."""
    return [name.strip() for value in (values or []) for name in value.split(",") if name.strip()]


def _pk(object_id: str, adapter: Adapter) -> int:
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
            found = records.filter(pk=_pk(object_id, adapter)).first()
        if found is not None:
            return found
    raise not_found(adapter.object_type.singular, object_id)


def _merged(
    adapter: Adapter, pick: Callable[[models.QuerySet[Any]], list[Any]], key: Callable[[Any], Any]
) -> list[Any]:
    """Rows from each of the type's tables, in one order (only line items have two)."""
    rows = [row for records in adapter.querysets() for row in pick(records)]
    return sorted(rows, key=key) if len(adapter.querysets()) > 1 else rows


def _pending(adapter: Adapter, associations: Iterable[Any]) -> list[PendingLink]:
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
            pending.append(PendingLink(link, find_record(target, association.to.id)))
    return pending


def _refused(violation: RuleViolation) -> ApiError:
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
        raise _refused(violation) from None


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


def _reload(adapter: Adapter, obj: models.Model, names: Sequence[str] | None) -> dict[str, Any]:
    fresh = find_record(adapter, str(obj.pk), archived=archived_at(adapter, obj) is not None)
    return records_out(adapter, [fresh], names)[0]


def _create_one(adapter: Adapter, request: HttpRequest, item: CreateIn) -> models.Model:
    actor = caller(request).actor
    values = wire.incoming(adapter, item.properties)
    return run_service(_atomic, _create_with_links, adapter, actor, values, item.associations)


def _atomic[**P, T](action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    with transaction.atomic():
        return action(*args, **kwargs)


def _create_with_links(
    adapter: Adapter, actor: Any, values: dict[str, Any], associations: list[Any]
) -> models.Model:
    return adapter.create(actor, values, _pending(adapter, associations))


def _per_input[I, R](inputs: Sequence[I], work: Callable[[I], R]) -> tuple[list[R], list[ApiError]]:
    """One input at a time: a refused input becomes one of the batch's errors, the rest go on."""
    results: list[R] = []
    errors: list[ApiError] = []
    for item in inputs:
        try:
            results.append(work(item))
        except ApiError as error:
            errors.append(_traced(error, getattr(item, "objectWriteTraceId", None)))
    return results, errors


def _batch_answer(
    ok: int, started: dt.datetime, results: list[dict[str, Any]], errors: list[ApiError]
) -> Status:
    """HubSpot's batch body: `ok` when every input went through, 207 with the errors if not."""
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": wire.moment(started),
        "completedAt": wire.moment(timezone.now()),
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = [error.body() for error in errors]
    return Status(207 if errors else ok, body)


def _check_batch(inputs: Sequence[Any]) -> None:
    if len(inputs) > MAX_BATCH:
        raise validation_error(
            f"A batch holds at most {MAX_BATCH} inputs; this one has {len(inputs)}. Split it.",
            code="TOO_MANY_INPUTS",
        )


def build_router(family: str) -> Router:
    """A fresh router (Ninja attaches a router once): one per path family, whose name prefixes
    the operation ids so the OpenAPI schema keeps them unique."""
    router = Router(tags=[f"Objects ({family})"])

    @router.get(
        "/{object_type}",
        response={200: Collection, **ERRORS},
        operation_id=f"{family}_list_records",
        exclude_none=True,
    )
    def list_records(
        request: HttpRequest,
        object_type: str,
        limit: int = 10,
        after: str | None = None,
        properties: list[str] = Query(default=[]),  # noqa: B008 - Ninja's way
        propertiesWithHistory: list[str] = Query(default=[]),  # noqa: B008
        associations: list[str] = Query(default=[]),  # noqa: B008
        archived: bool = False,
    ) -> Any:
        adapter = checked_adapter(request, object_type, write=False)
        with_history = _names(propertiesWithHistory)
        most = MAX_PAGE_WITH_HISTORY if with_history else MAX_PAGE
        if not 1 <= limit <= most:
            raise validation_error(f"limit must be between 1 and {most}.", code="INVALID_LIMIT")
        names = _names(properties)
        wanted = wire.requested_properties(adapter, names)
        start = _pk(after, adapter) if after else 0

        def pick(records: models.QuerySet[Any]) -> list[Any]:
            records = active(adapter, records, archived=archived).filter(pk__gt=start)
            return list(wire.loaded(records.order_by("pk"), wanted)[: limit + 1])

        page = _merged(adapter, pick, key=lambda row: row.pk)[: limit + 1]
        body: dict[str, Any] = {
            "results": records_out(adapter, page[:limit], names, with_history, _names(associations))
        }
        if len(page) > limit:
            body["paging"] = {"next": {"after": str(page[limit - 1].pk)}}
        return body

    @router.post(
        "/{object_type}",
        response={201: PublicObject, **ERRORS},
        operation_id=f"{family}_create_record",
        exclude_none=True,
    )
    def create_record(request: HttpRequest, object_type: str, body: CreateIn) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        obj = _create_one(adapter, request, body)
        return Status(201, _reload(adapter, obj, list(body.properties)))

    @router.post(
        "/{object_type}/batch/create",
        response={201: BatchResult, 207: BatchResult, **ERRORS},
        operation_id=f"{family}_batch_create",
        exclude_none=True,
    )
    def batch_create(request: HttpRequest, object_type: str, body: BatchCreateIn) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        _check_batch(body.inputs)
        started = timezone.now()

        def create(item: CreateIn) -> dict[str, Any]:
            return _reload(adapter, _create_one(adapter, request, item), list(item.properties))

        return _batch_answer(201, started, *_per_input(body.inputs, create))

    @router.post(
        "/{object_type}/batch/read",
        response={200: BatchResult, 207: BatchResult, **ERRORS},
        operation_id=f"{family}_batch_read",
        exclude_none=True,
    )
    def batch_read(
        request: HttpRequest, object_type: str, body: BatchReadIn, archived: bool = False
    ) -> Any:
        adapter = checked_adapter(request, object_type, write=False)
        _check_batch(body.inputs)
        started = timezone.now()
        found, errors = _per_input(
            body.inputs,
            lambda item: find_record(
                adapter, item.id, archived=archived, id_property=body.idProperty
            ),
        )
        results = records_out(adapter, found, body.properties, body.propertiesWithHistory)
        return _batch_answer(200, started, results, errors)

    @router.post(
        "/{object_type}/batch/update",
        response={200: BatchResult, 207: BatchResult, **ERRORS},
        operation_id=f"{family}_batch_update",
        exclude_none=True,
    )
    def batch_update(request: HttpRequest, object_type: str, body: BatchUpdateIn) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        _check_batch(body.inputs)
        actor, started = caller(request).actor, timezone.now()

        def update(item: Any) -> dict[str, Any]:
            obj = find_record(adapter, item.id, id_property=item.idProperty)
            updated = run_service(
                adapter.update, actor, obj, wire.incoming(adapter, item.properties)
            )
            return _reload(adapter, updated, list(item.properties))

        return _batch_answer(200, started, *_per_input(body.inputs, update))

    @router.post(
        "/{object_type}/batch/upsert",
        response={200: BatchUpsertResult, 207: BatchUpsertResult, **ERRORS},
        operation_id=f"{family}_batch_upsert",
        exclude_none=True,
    )
    def batch_upsert(request: HttpRequest, object_type: str, body: BatchUpdateIn) -> Any:
        """Update the record the idProperty value finds, or create it with that value."""
        adapter = checked_adapter(request, object_type, write=True)
        _check_batch(body.inputs)
        actor, started = caller(request).actor, timezone.now()

        def upsert(item: Any) -> dict[str, Any]:
            if not item.idProperty or item.idProperty == "hs_object_id":
                raise validation_error(
                    "An upsert needs idProperty: a property whose value finds the record, "
                    "e.g. email for contacts.",
                    code="INVALID_ID_PROPERTY",
                )
            values = wire.incoming(adapter, item.properties)
            try:
                obj = find_record(adapter, item.id, id_property=item.idProperty)
            except ApiError as missing:
                if missing.status != 404:
                    raise
                values.setdefault(item.idProperty, item.id)
                saved = run_service(_atomic, adapter.create, actor, values, [])
                return {**_reload(adapter, saved, list(item.properties)), "new": True}
            saved = run_service(adapter.update, actor, obj, values)
            return {**_reload(adapter, saved, list(item.properties)), "new": False}

        return _batch_answer(200, started, *_per_input(body.inputs, upsert))

    @router.post(
        "/{object_type}/batch/archive",
        response={204: None, **ERRORS},
        operation_id=f"{family}_batch_archive",
        exclude_none=True,
    )
    def batch_archive(request: HttpRequest, object_type: str, body: BatchArchiveIn) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        _check_batch(body.inputs)
        actor = caller(request).actor
        for item in body.inputs:
            try:
                obj = find_record(adapter, item.id)
            except ApiError:
                continue  # already gone: archiving is idempotent
            run_service(adapter.archive, actor, obj)
        return Status(204, None)

    @router.post(
        "/{object_type}/search",
        response={200: CollectionWithTotal, **ERRORS},
        operation_id=f"{family}_search_records",
        exclude_none=True,
    )
    def search_records(request: HttpRequest, object_type: str, body: SearchIn) -> Any:
        adapter = checked_adapter(request, object_type, write=False)
        after = _offset(body.after)
        groups = [
            [hs_search.Filter(**f.model_dump()) for f in group.filters]
            for group in body.filterGroups
            if group.filters
        ]
        hs_search.check_limits(groups, body.limit, after)
        condition, needed = hs_search.to_q(adapter, groups)
        order, sort_needs = hs_search.sort_order(adapter, body.sorts)
        properties = wire.requested_properties(adapter, body.properties)

        def matching(records: models.QuerySet[Any]) -> models.QuerySet[Any]:
            records = hs_search.annotate(
                active(adapter, records, archived=False), needed | sort_needs
            ).filter(condition)
            if body.query:
                records = records.filter(hs_search.query_q(adapter, body.query.strip()))
            return records.distinct()

        total = min(
            sum(matching(r).order_by().values("pk").count() for r in adapter.querysets()),
            hs_search.MAX_RESULTS,
        )
        page = _merged(
            adapter,
            lambda r: list(
                wire.loaded(matching(r).order_by(*order), properties)[: after + body.limit]
            ),
            key=hs_search.merge_key(adapter, body.sorts),
        )[after : after + body.limit]
        result: dict[str, Any] = {
            "total": total,
            "results": records_out(adapter, page, body.properties),
        }
        if after + len(page) < total:
            result["paging"] = {"next": {"after": str(after + len(page))}}
        return result

    # Last: /{object_type}/{object_id} would otherwise catch /search and /batch/... paths.
    @router.get(
        "/{object_type}/{object_id}",
        response={200: PublicObject, **ERRORS},
        operation_id=f"{family}_read_record",
        exclude_none=True,
    )
    def read_record(
        request: HttpRequest,
        object_type: str,
        object_id: str,
        properties: list[str] = Query(default=[]),  # noqa: B008
        propertiesWithHistory: list[str] = Query(default=[]),  # noqa: B008
        associations: list[str] = Query(default=[]),  # noqa: B008
        archived: bool = False,
        idProperty: str | None = None,
    ) -> Any:
        adapter = checked_adapter(request, object_type, write=False)
        obj = find_record(adapter, object_id, archived=archived, id_property=idProperty)
        names = _names(properties)
        return records_out(
            adapter, [obj], names, _names(propertiesWithHistory), _names(associations)
        )[0]

    @router.patch(
        "/{object_type}/{object_id}",
        response={200: PublicObject, **ERRORS},
        operation_id=f"{family}_update_record",
        exclude_none=True,
    )
    def update_record(
        request: HttpRequest,
        object_type: str,
        object_id: str,
        body: UpdateIn,
        idProperty: str | None = None,
    ) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        obj = find_record(adapter, object_id, id_property=idProperty)
        values = wire.incoming(adapter, body.properties)
        actor = caller(request).actor
        updated = run_service(adapter.update, actor, obj, values)
        return _reload(adapter, updated, list(body.properties))

    @router.delete(
        "/{object_type}/{object_id}",
        response={204: None, **ERRORS},
        operation_id=f"{family}_archive_record",
        exclude_none=True,
    )
    def archive_record(request: HttpRequest, object_type: str, object_id: str) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        obj = find_record(adapter, object_id)
        actor = caller(request).actor
        run_service(adapter.archive, actor, obj)
        return Status(204, None)

    return router


def _offset(after: str | int | None) -> int:
    if after in (None, ""):
        return 0
    text = str(after)
    if not text.isdigit():
        raise validation_error('after must be an integer string, e.g. "10".', code="INVALID_AFTER")
    return int(text)


def _traced(error: ApiError, trace_id: str | None) -> ApiError:
    """Batch errors name the input's objectWriteTraceId, as HubSpot's do."""
    if trace_id:
        for detail in error.errors or [{"message": error.message}]:
            detail.setdefault("context", {})["objectWriteTraceId"] = [trace_id]
        if not error.errors:
            error.errors = [
                {"message": error.message, "context": {"objectWriteTraceId": [trace_id]}}
            ]
    return error
