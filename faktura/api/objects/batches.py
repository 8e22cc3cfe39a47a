"""HubSpot's batch endpoints (reference §C3): create, read, update, upsert and archive up to 100
records in one call; one refused input is one of the answer's errors (207), the rest go on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from faktura.api import wire
from faktura.api.errors import ApiError, validation_error
from faktura.api.objects.records import (
    ERRORS,
    archive_one,
    atomic,
    caller,
    checked_adapter,
    create_one,
    find_record,
    records_out,
    reload,
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


def add_routes(router: Router, family: str) -> None:
    @router.post(
        "/{object_type}/batch/create",
        response={201: BatchResult, 207: BatchResult, **ERRORS},
        operation_id=f"{family}_batch_create",
        exclude_none=True,
    )
    def batch_create(request: HttpRequest, object_type: str, body: BatchCreateIn) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        _check_batch(body.inputs)
        require_create_scopes(request, adapter, body.inputs)
        actor, started = caller(request).actor, timezone.now()

        def create(item: CreateIn) -> dict[str, Any]:
            return reload(adapter, create_one(adapter, actor, item), list(item.properties))

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
        _check_batch(body.inputs)
        actor, started = caller(request).actor, timezone.now()

        def update(item: Any) -> dict[str, Any]:
            obj = find_record(adapter, item.id, id_property=item.idProperty)
            updated = run_service(
                adapter.update, actor, obj, wire.incoming(adapter, item.properties)
            )
            return reload(adapter, updated, list(item.properties))

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
                saved = run_service(atomic, adapter.create, actor, values, [])
                return {**reload(adapter, saved, list(item.properties)), "new": True}
            saved = run_service(adapter.update, actor, obj, values)
            return {**reload(adapter, saved, list(item.properties)), "new": False}

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
        for item in body.inputs:
            try:
                obj = find_record(adapter, item.id)
            except ApiError:
                continue  # already gone: archiving is idempotent
            archive_one(request, adapter, obj)
        return Status(204, None)
