"""Associations v4 (reference §C3): make, list and remove the associations between two records,
with HubSpot's association type ids. Each change is the owning app's service call."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from faktura.api import wire
from faktura.api.adapters import Adapter, Link
from faktura.api.errors import validation_error
from faktura.api.objects.records import (
    ERRORS,
    caller,
    checked_adapter,
    find_record,
    require_link_scopes,
    run_service,
)
from faktura.api.schemas import AssociationSpec


class AssociationType(Schema):
    category: str
    typeId: int
    label: str | None = None


class AssociatedObject(Schema):
    toObjectId: int
    associationTypes: list[AssociationType]


class AssociatedPage(Schema):
    results: list[AssociatedObject]
    paging: dict[str, Any] | None = None


class LabelsBetweenObjectPair(Schema):
    fromObjectTypeId: str
    fromObjectId: int
    toObjectTypeId: str
    toObjectId: int
    labels: list[str]


class DefaultAssociation(Schema):
    status: str
    results: list[dict[str, Any]]
    startedAt: str
    completedAt: str


def _pair(request: HttpRequest, from_type: str, from_id: str, to_type: str, to_id: str) -> Any:
    source = checked_adapter(request, from_type, write=True)
    target = checked_adapter(request, to_type, write=False)
    link = _link(source, target)
    require_link_scopes(request, [link])
    return source, target, link, find_record(source, from_id), find_record(target, to_id)


def _link(source: Adapter, target: Adapter) -> Link:
    link = source.link_to(target.name)
    if link is None:
        raise validation_error(
            f"{source.name} and {target.name} cannot be associated.",
            code="INVALID_ASSOCIATION",
        )
    return link


def _added(link: Link, obj: Any, other: Any, request: HttpRequest) -> None:
    if link.add is None:
        raise validation_error(
            f"{link.label} associations are set by Faktura and cannot be made here.",
            code="INVALID_ASSOCIATION",
        )
    if other.pk not in link.ids(obj):
        run_service(link.add, obj, other, actor=caller(request).actor)


def build_router() -> Router:
    router = Router(tags=["Associations"])
    base = "/{from_type}/{from_id}/associations"

    @router.put(
        f"{base}/default/{{to_type}}/{{to_id}}",
        response={200: DefaultAssociation, **ERRORS},
        exclude_none=True,
    )
    def associate_default(
        request: HttpRequest, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> Any:
        started = timezone.now()
        _, _, link, obj, other = _pair(request, from_type, from_id, to_type, to_id)
        _added(link, obj, other, request)
        spec = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": link.type_id}
        return {
            "status": "COMPLETE",
            "results": [
                {"from": {"id": str(obj.pk)}, "to": {"id": str(other.pk)}, "associationSpec": spec}
            ],
            "startedAt": wire.moment(started),
            "completedAt": wire.moment(timezone.now()),
        }

    @router.put(
        f"{base}/{{to_type}}/{{to_id}}",
        response={201: LabelsBetweenObjectPair, **ERRORS},
        exclude_none=True,
    )
    def associate(
        request: HttpRequest,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        body: list[AssociationSpec],
    ) -> Any:
        source, target, link, obj, other = _pair(request, from_type, from_id, to_type, to_id)
        wrong = [s.associationTypeId for s in body if s.associationTypeId != link.type_id]
        if wrong or not body:
            raise validation_error(
                f"{source.name} → {target.name} associations use type {link.type_id}"
                f"{'' if not wrong else f', not {wrong[0]}'}; custom labels are not supported.",
                code="INVALID_ASSOCIATION_TYPE",
            )
        _added(link, obj, other, request)
        return Status(
            201,
            {
                "fromObjectTypeId": source.object_type.hubspot_type_id,
                "fromObjectId": obj.pk,
                "toObjectTypeId": target.object_type.hubspot_type_id,
                "toObjectId": other.pk,
                "labels": [],
            },
        )

    @router.get(f"{base}/{{to_type}}", response={200: AssociatedPage, **ERRORS}, exclude_none=True)
    def list_associations(
        request: HttpRequest,
        from_type: str,
        from_id: str,
        to_type: str,
        after: str | None = None,
        limit: int = 500,
    ) -> Any:
        source = checked_adapter(request, from_type, write=False)
        target = checked_adapter(request, to_type, write=False)
        link = _link(source, target)
        ids = sorted(link.ids(find_record(source, from_id)))
        start = int(after) if after and after.isdigit() else 0
        limit = max(1, min(limit, 500))
        chosen = [pk for pk in ids if pk > start][: limit + 1]
        page: dict[str, Any] = {
            "results": [
                {
                    "toObjectId": pk,
                    "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": link.type_id}],
                }
                for pk in chosen[:limit]
            ]
        }
        if len(chosen) > limit:
            page["paging"] = {"next": {"after": str(chosen[limit - 1])}}
        return page

    @router.delete(f"{base}/{{to_type}}/{{to_id}}", response={204: None, **ERRORS})
    def remove_association(
        request: HttpRequest, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> Any:
        _, _, link, obj, other = _pair(request, from_type, from_id, to_type, to_id)
        if other.pk in link.ids(obj):
            if link.remove is None:
                raise validation_error(
                    f"{link.label} associations cannot be removed.", code="INVALID_ASSOCIATION"
                )
            run_service(link.remove, obj, other, actor=caller(request).actor)
        return Status(204, None)

    return router
