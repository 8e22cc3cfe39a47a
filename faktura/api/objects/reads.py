"""Reading records: a page of a type's records, and one record by id (reference §C3)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from ninja import Query, Router

from faktura.api import wire
from faktura.api.adapters import active
from faktura.api.errors import validation_error
from faktura.api.objects.records import (
    ERRORS,
    by_id,
    checked_adapter,
    find_record,
    merged,
    names,
    record_id,
    records_out,
)
from faktura.api.schemas import Collection, PublicObject

MAX_PAGE = 100
MAX_PAGE_WITH_HISTORY = 50


def add_list_route(router: Router, family: str) -> None:
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
        with_history = names(propertiesWithHistory)
        most = MAX_PAGE_WITH_HISTORY if with_history else MAX_PAGE
        if not 1 <= limit <= most:
            raise validation_error(f"limit must be between 1 and {most}.", code="INVALID_LIMIT")
        asked = names(properties)
        wanted = wire.requested_properties(adapter, asked)
        start = record_id(after, adapter) if after else 0

        def pick(records: models.QuerySet[Any]) -> list[Any]:
            records = active(adapter, records, archived=archived).filter(pk__gt=start)
            return list(wire.loaded(records.order_by("pk"), wanted)[: limit + 1])

        page = merged(adapter, pick, key=by_id)[: limit + 1]
        body: dict[str, Any] = {
            "results": records_out(adapter, page[:limit], asked, with_history, names(associations))
        }
        if len(page) > limit:
            body["paging"] = {"next": {"after": str(page[limit - 1].pk)}}
        return body


def add_record_route(router: Router, family: str) -> None:
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
        return records_out(
            adapter, [obj], names(properties), names(propertiesWithHistory), names(associations)
        )[0]
