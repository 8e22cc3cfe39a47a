"""Request and response bodies, named and shaped as in HubSpot's clients (reference §C4), so
the OpenAPI schema documents the wire format and responses are checked against it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class AssociationSpec(Schema):
    associationCategory: str = "HUBSPOT_DEFINED"
    associationTypeId: int


class ObjectId(Schema):
    id: str


class AssociationIn(Schema):
    to: ObjectId
    types: list[AssociationSpec] = Field(min_length=1)


class CreateIn(Schema):
    properties: dict[str, Any] = {}
    associations: list[AssociationIn] = []
    objectWriteTraceId: str | None = None


class UpdateIn(Schema):
    properties: dict[str, Any]


class BatchCreateIn(Schema):
    inputs: list[CreateIn]


class BatchId(Schema):
    id: str


class BatchReadIn(Schema):
    inputs: list[BatchId]
    properties: list[str] = []
    propertiesWithHistory: list[str] = []
    idProperty: str | None = None


class BatchUpdateItem(Schema):
    id: str
    properties: dict[str, Any]
    idProperty: str | None = None
    objectWriteTraceId: str | None = None


class BatchUpdateIn(Schema):
    inputs: list[BatchUpdateItem]


class BatchArchiveIn(Schema):
    inputs: list[BatchId]


class FilterIn(Schema):
    propertyName: str
    operator: str
    value: Any = None
    highValue: Any = None
    values: list[Any] | None = None


class FilterGroupIn(Schema):
    filters: list[FilterIn] = []


class SearchIn(Schema):
    filterGroups: list[FilterGroupIn] = []
    sorts: list[Any] = []
    query: str | None = None
    properties: list[str] = []
    limit: int = 10
    after: str | int | None = None


class ValueWithTimestamp(Schema):
    value: str
    timestamp: dt.datetime
    sourceType: str
    sourceId: str | None = None
    sourceLabel: str | None = None
    updatedByUserId: int | None = None


class AssociatedId(Schema):
    id: str
    type: str


class AssociatedIds(Schema):
    results: list[AssociatedId]


class PublicObject(Schema):
    id: str
    properties: dict[str, str | None]
    propertiesWithHistory: dict[str, list[ValueWithTimestamp]] | None = None
    associations: dict[str, AssociatedIds] | None = None
    createdAt: dt.datetime
    updatedAt: dt.datetime
    archived: bool
    archivedAt: dt.datetime | None = None


class NextPage(Schema):
    after: str
    link: str | None = None


class Paging(Schema):
    next: NextPage | None = None


class Collection(Schema):
    results: list[PublicObject]
    paging: Paging | None = None


class CollectionWithTotal(Schema):
    total: int
    results: list[PublicObject]
    paging: Paging | None = None


class ErrorDetail(Schema):
    message: str
    code: str | None = None
    context: dict[str, list[str]] | None = None


class Error(Schema):
    status: str
    message: str
    correlationId: str
    category: str
    errors: list[ErrorDetail] | None = None


class BatchResult(Schema):
    status: str
    results: list[PublicObject]
    startedAt: dt.datetime
    completedAt: dt.datetime
    numErrors: int | None = None
    errors: list[Error] | None = None


class UpsertedObject(PublicObject):
    new: bool  # created by this upsert, not found by its idProperty


class BatchUpsertResult(BatchResult):
    results: list[UpsertedObject]  # type: ignore[assignment]


class PropertyOption(Schema):
    label: str
    value: str
    displayOrder: int
    hidden: bool = False


class ModificationMetadata(Schema):
    archivable: bool
    readOnlyDefinition: bool
    readOnlyValue: bool


class PropertyOut(Schema):
    name: str
    label: str
    type: str
    fieldType: str
    description: str
    groupName: str
    options: list[PropertyOption]
    displayOrder: int
    calculated: bool
    hasUniqueValue: bool
    hidden: bool
    hubspotDefined: bool
    modificationMetadata: ModificationMetadata
    formField: bool
    archived: bool


class PropertyCollection(Schema):
    results: list[PropertyOut]
