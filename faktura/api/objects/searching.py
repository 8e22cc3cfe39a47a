"""POST /{object_type}/search: HubSpot's CRM search (reference H-38, H-39) over every table of
the type, with the filters, sort and query read by `faktura.api.search`."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from ninja import Router

from faktura.api import search as hs_search
from faktura.api import wire
from faktura.api.adapters import active
from faktura.api.errors import validation_error
from faktura.api.objects.records import ERRORS, checked_adapter, merged, records_out
from faktura.api.schemas import CollectionWithTotal, SearchIn


def add_route(router: Router, family: str) -> None:
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

        def first_pages(records: models.QuerySet[Any]) -> list[Any]:
            ordered = wire.loaded(matching(records).order_by(*order), properties)
            return list(ordered[: after + body.limit])

        total = min(
            sum(matching(r).order_by().values("pk").count() for r in adapter.querysets()),
            hs_search.MAX_RESULTS,
        )
        page = merged(adapter, first_pages, key=hs_search.merge_key(adapter, body.sorts))
        page = page[after : after + body.limit]
        result: dict[str, Any] = {
            "total": total,
            "results": records_out(adapter, page, body.properties),
        }
        if after + len(page) < total:
            result["paging"] = {"next": {"after": str(after + len(page))}}
        return result


def _offset(after: str | int | None) -> int:
    if after in (None, ""):
        return 0
    text = str(after)
    if not text.isdigit():
        raise validation_error('after must be an integer string, e.g. "10".', code="INVALID_AFTER")
    return int(text)
