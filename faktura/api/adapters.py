"""What the API adds to each object type behind HubSpot's generic object endpoints: the
properties a response shows by default, HubSpot's association type ids, and the wire's quirks
(an invoice's status property moves it through its lifecycle). The services that create, update,
archive and associate records are the owning apps' declarations (faktura.core.record_services):
the API adds no rules. One module per object type in `faktura/api/types/`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from faktura.core.actors import Actor
from faktura.core.properties import ObjectType, object_types
from faktura.core.record_services import (
    Associate,
    Associated,
    Association,
    RecordServices,
    Values,
    associations,
    services_for,
)

COMMON_DEFAULTS = ("createdate", "hs_lastmodifieddate", "hs_object_id")


@dataclass(frozen=True)
class Link:
    """One association kind between two object types, as HubSpot names it; what it does is the
    owning app's declared association."""

    source: str  # object type names: "invoices"
    to: str
    type_id: int
    label: str  # "invoice_to_contact"
    # Making it changes the record it points at too (a payment applied to an invoice changes
    # the invoice's amount paid): the caller needs the write scope of both types.
    changes_target: bool = False

    @property
    def association(self) -> Association:
        try:
            return associations[(self.source, self.to)]
        except KeyError:
            raise LookupError(f"No app declares the association {self.label}.") from None

    def ids(self, obj: models.Model) -> list[int]:
        return sorted(self.association.record_ids(obj))

    @property
    def add(self) -> Associate | None:
        return self.association.add

    @property
    def remove(self) -> Associate | None:
        return self.association.remove


@dataclass(frozen=True)
class PendingLink:
    """An association named in a create request, resolved to its target record."""

    link: Link
    target: models.Model


# HubSpot's ways around a type's declared services (None: the declared service as it is).
CreateOnWire = Callable[[Actor, Values, Associated], models.Model]
UpdateOnWire = Callable[[Actor, Any, Values], models.Model]


@dataclass
class Adapter:
    name: str  # the object type's name: "invoices"
    default_properties: tuple[str, ...]
    links: tuple[Link, ...] = ()
    create_on_wire: CreateOnWire | None = None
    update_on_wire: UpdateOnWire | None = None
    # Scopes beyond the type's own write scope that archiving (deleting) this record needs.
    archive_scopes: Callable[[Any], tuple[str, ...]] | None = None
    _by_target: dict[str, Link] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_target = {link.to: link for link in self.links}

    @property
    def object_type(self) -> ObjectType:
        return object_types.get(self.name)

    @property
    def services(self) -> RecordServices:
        return services_for(self.name)

    def link_to(self, target: str) -> Link | None:
        return self._by_target.get(target)

    def link_by_type_id(self, type_id: int) -> Link | None:
        return next((link for link in self.links if link.type_id == type_id), None)

    def querysets(self) -> list[models.QuerySet[Any]]:
        """Every table holding records of this type (ids never overlap, ADR 0006)."""
        return [table.model._default_manager.all() for table in self.services.tables]

    def create(self, actor: Actor, values: Values, pending: Sequence[PendingLink]) -> models.Model:
        associated = _grouped(pending)
        if self.create_on_wire is not None:
            return self.create_on_wire(actor, values, associated)
        return self.services.create_record(values, actor=actor, associated=associated)

    def create_many(
        self, actor: Actor, items: Sequence[tuple[Values, Sequence[PendingLink]]]
    ) -> list[models.Model]:
        """The type's declared `create_many`: all the records, or none."""
        create_many = self.services.create_many
        assert create_many is not None, f"{self.name} has no create_many"
        return create_many([(values, _grouped(links)) for values, links in items], actor=actor)

    def update_many(
        self, actor: Actor, items: Sequence[tuple[models.Model, Values]]
    ) -> list[models.Model]:
        """The type's declared `update_many`: all the records changed, or none."""
        update_many = self.services.update_many
        assert update_many is not None, f"{self.name} has no update_many"
        return update_many(items, actor=actor)

    def update(self, actor: Actor, obj: models.Model, values: Values) -> models.Model:
        if self.update_on_wire is not None:
            return self.update_on_wire(actor, obj, values)
        return self.services.update_record(obj, actor=actor, values=values)

    def archive(self, actor: Actor, obj: models.Model) -> None:
        self.services.archive_record(obj, actor=actor)


def _grouped(pending: Sequence[PendingLink]) -> dict[str, list[models.Model]]:
    """The requested associations by target type, in the order given."""
    grouped: dict[str, list[models.Model]] = {}
    for item in pending:
        grouped.setdefault(item.link.to, []).append(item.target)
    return grouped


def active(adapter: Adapter, queryset: models.QuerySet[Any], *, archived: bool) -> Any:
    """Archived records only when asked for, as HubSpot's `archived=true` does."""
    object_type = adapter.object_type
    return object_type.archived(queryset) if archived else object_type.unarchived(queryset)


def archived_at(adapter: Adapter, obj: models.Model) -> dt.datetime | None:
    if not isinstance(obj, adapter.object_type.model):
        return None  # a row of the second table (an invoice line) is never archived
    return adapter.object_type.archived_at(obj)


_BY_NAME: dict[str, Adapter] = {}


def adapters() -> Mapping[str, Adapter]:
    """Every adapter by object type name (built once the apps are ready)."""
    if not _BY_NAME:
        from faktura.api.types import crm, invoices, line_items, payments, sales

        for module in (crm, sales, line_items, invoices, payments):
            for adapter in module.ADAPTERS:
                for link in adapter.links:
                    link.association  # noqa: B018 - every link must have a declared association
                _BY_NAME[adapter.name] = adapter
    return _BY_NAME


def adapter_for(name_or_type_id: str) -> Adapter | None:
    """ "invoices", "invoice" or "0-53"."""
    for adapter in adapters().values():
        ot = adapter.object_type
        if name_or_type_id in (ot.name, ot.singular, ot.hubspot_type_id):
            return adapter
    return None
