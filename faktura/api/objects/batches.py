"""HubSpot's batch endpoints (reference §C3): create, read, update, upsert and archive up to 100
records in one call (line items: up to an invoice's 500 lines). A write is all or nothing: with one
refused input nothing is written, and the 400 names each refused input (its index and
objectWriteTraceId). A read answers what it found, and each id it did not find as an error (207)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from faktura.api import wire
from faktura.api.adapters import Adapter, PendingLink
from faktura.api.errors import ApiError, validation_error
from faktura.api.objects.records import (
    ERRORS,
    archive_one,
    atomic,
    caller,
    checked_adapter,
    create_one,
    find_record,
    find_records,
    pending_links,
    records_out,
    refused,
    reload,
    require_archive_scopes,
    require_create_scopes,
    run_service,
)
from faktura.api.schemas import (
    BatchArchiveIn,
    BatchCreateIn,
    BatchReadIn,
    BatchResult,
    BatchUpdateIn,
    BatchUpsertResult,
    CreateIn,
)
from faktura.core.actors import Actor
from faktura.core.errors import BatchRefused, RuleViolation

MAX_BATCH = 100


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


def _all_or_nothing[I, R](inputs: Sequence[I], work: Callable[[I], R]) -> list[R]:
    """Every input in one transaction, each in a savepoint of its own so that all refusals are
    known; one refusal undoes the whole batch (a client must never guess what was written)."""

    def saved(item: I) -> R:
        with transaction.atomic():
            return work(item)

    with transaction.atomic():
        return _every_input(inputs, saved)


def _refused_whole(inputs: Sequence[Any], errors: dict[int, ApiError]) -> ApiError:
    """HubSpot's error body, one entry in `errors` per refused input (its index from 0, and
    its objectWriteTraceId when it has one)."""
    details = []
    for index, error in sorted(errors.items()):
        trace_id = getattr(inputs[index], "objectWriteTraceId", None)
        for detail in error.errors or [{"message": error.message, "code": error.category}]:
            context = detail.setdefault("context", {})
            context["inputIndex"] = [str(index)]
            if trace_id:
                context["objectWriteTraceId"] = [trace_id]
            details.append(detail)
    first = min(errors)
    message = (
        f"{len(errors)} of {len(inputs)} inputs were refused, so none was written; the first, "
        f"input {first + 1} (inputIndex {first}): {errors[first].message} Correct them and "
        "send the batch again."
    )
    return ApiError(400, message, "VALIDATION_ERROR", errors=details)


def _every_input[I, T](inputs: Sequence[I], read: Callable[[I], T]) -> list[T]:
    """`read` for every input, all refusals known; any refused refuses the whole batch."""
    found: list[T] = []
    errors: dict[int, ApiError] = {}
    for index, item in enumerate(inputs):
        try:
            found.append(read(item))
        except ApiError as error:
            errors[index] = error
    if errors:
        raise _refused_whole(inputs, errors)
    return found


def _write_all[T](inputs: Sequence[Any], write: Callable[[], T]) -> T:
    """One call to a type's batch service; the inputs it refuses are named as the API's."""
    try:
        return write()
    except BatchRefused as batch:
        raise _refused_whole(
            inputs, {index: refused(why) for index, why in batch.refused.items()}
        ) from None
    except RuleViolation as violation:
        raise refused(violation) from None


def _create_many(adapter: Adapter, actor: Actor, inputs: Sequence[CreateIn]) -> list[Any]:
    """The type's own create_many: every input read first (each associated record found once),
    then one service call, all or nothing."""
    found: dict[tuple[str, str], Any] = {}

    def find(target: Adapter, object_id: str) -> Any:
        if (target.name, object_id) not in found:
            found[(target.name, object_id)] = find_record(target, object_id)
        return found[(target.name, object_id)]

    def read(item: CreateIn) -> tuple[dict[str, Any], list[PendingLink]]:
        return wire.incoming(adapter, item.properties), pending_links(
            adapter, item.associations, find
        )

    items = _every_input(inputs, read)
    return _write_all(inputs, lambda: adapter.create_many(actor, items))


def _update_many(adapter: Adapter, actor: Actor, inputs: Sequence[Any]) -> list[Any]:
    by_id = find_records(adapter, [item.id for item in inputs if not item.idProperty])

    def read(item: Any) -> tuple[Any, dict[str, Any]]:
        record = by_id.get(item.id) if not item.idProperty else None
        if record is None:
            record = find_record(adapter, item.id, id_property=item.idProperty)
        return record, wire.incoming(adapter, item.properties)

    items = _every_input(inputs, read)
    return _write_all(inputs, lambda: adapter.update_many(actor, items))


def _records(adapter: Adapter, records: Sequence[Any], inputs: Sequence[Any]) -> list[Any]:
    """Each written record as HubSpot answers it, with the properties its input named."""
    return [
        records_out(adapter, [record], list(item.properties))[0]
        for record, item in zip(records, inputs, strict=True)
    ]


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


def _check_batch(inputs: Sequence[Any], limit: int = MAX_BATCH) -> None:
    if len(inputs) > limit:
        raise validation_error(
            f"A batch holds at most {limit} inputs; this one has {len(inputs)}. Split it.",
            code="TOO_MANY_INPUTS",
        )


def add_routes(router: Router, family: str) -> None:
    @router.post(
        "/{object_type}/batch/create",
        response={201: BatchResult, 207: BatchResult, **ERRORS},
        operation_id=f"{family}_batch_create",
        exclude_none=True,
    )
    def batch_create(request: HttpRequest, object_type: str, body: BatchCreateIn) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        require_create_scopes(request, adapter, body.inputs)
        actor, started = caller(request).actor, timezone.now()
        if adapter.services.create_many is not None:
            _check_batch(body.inputs, adapter.services.max_batch or MAX_BATCH)
            created = _create_many(adapter, actor, body.inputs)
            return _batch_answer(201, started, _records(adapter, created, body.inputs), [])
        _check_batch(body.inputs)

        def create(item: CreateIn) -> dict[str, Any]:
            return reload(adapter, create_one(adapter, actor, item), list(item.properties))

        return _batch_answer(201, started, _all_or_nothing(body.inputs, create), [])

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

        def read(item: Any) -> Any:
            return find_record(adapter, item.id, archived=archived, id_property=body.idProperty)

        found, errors = _per_input(body.inputs, read)
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
        actor, started = caller(request).actor, timezone.now()
        if adapter.services.update_many is not None:
            _check_batch(body.inputs, adapter.services.max_batch or MAX_BATCH)
            updated = _update_many(adapter, actor, body.inputs)
            return _batch_answer(200, started, _records(adapter, updated, body.inputs), [])
        _check_batch(body.inputs)

        def update(item: Any) -> dict[str, Any]:
            obj = find_record(adapter, item.id, id_property=item.idProperty)
            updated = run_service(
                adapter.update, actor, obj, wire.incoming(adapter, item.properties)
            )
            return reload(adapter, updated, list(item.properties))

        return _batch_answer(200, started, _all_or_nothing(body.inputs, update), [])

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
                saved = run_service(atomic, adapter.create, actor, values, [])
                return {**reload(adapter, saved, list(item.properties)), "new": True}
            saved = run_service(adapter.update, actor, obj, values)
            return {**reload(adapter, saved, list(item.properties)), "new": False}

        return _batch_answer(200, started, _all_or_nothing(body.inputs, upsert), [])

    @router.post(
        "/{object_type}/batch/archive",
        response={204: None, **ERRORS},
        operation_id=f"{family}_batch_archive",
        exclude_none=True,
    )
    def batch_archive(request: HttpRequest, object_type: str, body: BatchArchiveIn) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        actor = caller(request).actor
        if (archive_many := adapter.services.archive_many) is not None:
            _check_batch(body.inputs, adapter.services.max_batch or MAX_BATCH)
            # Those already gone are left out: archiving is idempotent.
            by_id = find_records(adapter, [item.id for item in body.inputs])
            records = list(
                {item.id: by_id[item.id] for item in body.inputs if item.id in by_id}.values()
            )
            for record in records:
                require_archive_scopes(request, adapter, record)
            _write_all(body.inputs, lambda: archive_many(records, actor=actor))
            return Status(204, None)
        _check_batch(body.inputs)

        def archive(item: Any) -> None:
            try:
                obj = find_record(adapter, item.id)
            except ApiError:
                return  # already gone: archiving is idempotent
            archive_one(request, adapter, obj)

        _all_or_nothing(body.inputs, archive)
        return Status(204, None)
