"""Writing one record: create (with associations), update and archive, each one call to the
owning app's declared service (reference §C3)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from faktura.api import wire
from faktura.api.objects.records import (
    ERRORS,
    archive_one,
    caller,
    checked_adapter,
    create_one,
    find_record,
    reload,
    require_create_scopes,
    run_service,
)
from faktura.api.schemas import CreateIn, PublicObject, UpdateIn


def add_create_route(router: Router, family: str) -> None:
    @router.post(
        "/{object_type}",
        response={201: PublicObject, **ERRORS},
        operation_id=f"{family}_create_record",
        exclude_none=True,
    )
    def create_record(request: HttpRequest, object_type: str, body: CreateIn) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        require_create_scopes(request, adapter, [body])
        obj = create_one(adapter, caller(request).actor, body)
        return Status(201, reload(adapter, obj, list(body.properties)))


def add_record_routes(router: Router, family: str) -> None:
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
        return reload(adapter, updated, list(body.properties))

    @router.delete(
        "/{object_type}/{object_id}",
        response={204: None, **ERRORS},
        operation_id=f"{family}_archive_record",
        exclude_none=True,
    )
    def archive_record(request: HttpRequest, object_type: str, object_id: str) -> Any:
        adapter = checked_adapter(request, object_type, write=True)
        archive_one(request, adapter, find_record(adapter, object_id))
        return Status(204, None)
