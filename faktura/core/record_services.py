"""The services behind each object type, and its associations, declared once by the apps that own
them. Code that acts on records of any type reads them here: the API (create, update, archive,
associate), the workflow actions (update; the associated record a value is copied from) and the
QuickBooks actions to come (the first associated contact; the line items of a deal, a quote or a
payment's invoice).

core imports no app: each app declares what it owns when it is ready (its `apps.py` imports its
`record_services` module), and each part is declared once. An app declares only what it can
write: payments knows no invoices, so the invoices app declares how a payment is deleted (the
invoice it paid reopens), how payments and invoices are associated, and its lines as a second
table of line items (ADR 0006).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.properties import ObjectType, Property, object_types
from faktura.core.property_forms import is_writable

Values = Mapping[str, Any]
# Records a new record is associated with as it is created: object type name → records, in order.
Associated = Mapping[str, Sequence[models.Model]]


class Create(Protocol):
    """Create a record from property values and make the associations its service takes."""

    def __call__(
        self, values: Values, /, *, actor: Actor, associated: Associated
    ) -> models.Model: ...


class CreateMany(Protocol):
    """Create many records in one transaction, all or none (faktura.core.errors.BatchRefused
    names each refused input), each with the associations it is given."""

    def __call__(
        self, items: Sequence[tuple[Values, Associated]], /, *, actor: Actor
    ) -> list[models.Model]: ...


class UpdateMany(Protocol):
    """Change many records in one transaction, all or none (BatchRefused names each refused
    input); the records as stored after, in the order given."""

    def __call__(
        self, items: Sequence[tuple[Any, Values]], /, *, actor: Actor
    ) -> list[models.Model]: ...


class ArchiveMany(Protocol):
    def __call__(self, records: Sequence[Any], /, *, actor: Actor) -> object: ...


class Update(Protocol):
    def __call__(self, record: Any, /, *, actor: Actor, values: Values) -> models.Model: ...


class Archive(Protocol):
    """Archive a record, or delete it where its type is not archived (an invoice, a payment)."""

    def __call__(self, record: Any, /, *, actor: Actor) -> object: ...


class Associate(Protocol):
    """Add (or remove) one association between `record` and `other`."""

    def __call__(self, record: Any, other: Any, /, *, actor: Actor) -> object: ...


@dataclass(frozen=True)
class Table:
    """A table holding records of an object type, with the services that change its rows."""

    model: type[models.Model]
    update: Update | None = None
    archive: Archive | None = None


@dataclass(frozen=True)
class Association:
    """The records of type `target` associated with a record of type `source` (type names)."""

    source: str
    target: str
    # Every associated record, in association order.
    records: Callable[[Any], Iterable[models.Model]]
    # The one record that stands for the association (the first contact, the oldest company,
    # the deal); None where no record does (a deal's quotes, a document's line items).
    primary: Callable[[Any], models.Model | None] | None = None
    add: Associate | None = None
    remove: Associate | None = None
    # The ORM path from a source record to the ids of its associated records, for filters.
    lookup: str | None = None
    # Values a record created with this association takes when it is given none of its own.
    fills: Callable[[Any], Values] | None = None
    # The associated records' ids without loading them (a foreign key's column); None: read
    # from `records`.
    ids: Callable[[Any], list[Any]] | None = None

    def record_ids(self, record: Any) -> list[Any]:
        """The associated records' ids, in one query at most (lists ask this for every row)."""
        if self.ids is not None:
            return self.ids(record)
        found = self.records(record)
        if isinstance(found, models.QuerySet):
            return list(found.values_list("pk", flat=True))
        return [other.pk for other in found]


def pointer(field: str) -> dict[str, Any]:
    """`records`, `primary` and `ids` of an association held in one foreign key (`field`: an
    invoice's "deal"); a record without that field (the other table of its type) has none."""

    def primary(record: Any) -> models.Model | None:
        return getattr(record, field, None) if getattr(record, f"{field}_id", None) else None

    def records(record: Any) -> list[models.Model]:
        return [other] if (other := primary(record)) else []

    def ids(record: Any) -> list[Any]:
        return [pk] if (pk := getattr(record, f"{field}_id", None)) else []

    return {"records": records, "primary": primary, "ids": ids}


def of[M: models.Model](associated: Associated, target: str, model: type[M]) -> list[M]:
    """The records of `model` among those a new record is created with."""
    return [record for record in associated.get(target, ()) if isinstance(record, model)]


class RecordServices:
    """What creates, changes and archives the records of one object type."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.create: Create | None = None
        # Many at once, in time linear in their number; None: `create` one by one.
        self.create_many: CreateMany | None = None
        # Many changed or archived at once, in time linear in their number, whichever of the
        # type's tables hold them; None: one by one.
        self.update_many: UpdateMany | None = None
        self.archive_many: ArchiveMany | None = None
        # The most inputs one batch may hold when these take it (None: the API's own).
        self.max_batch: int | None = None
        # The associations `create` makes itself; the others are added after it, one by one.
        self.created_with: frozenset[str] = frozenset()
        # The properties `update` takes; None: every property a user sets directly.
        self.editable: frozenset[str] | None = None
        # Why records of this type cannot be changed, when `update` is None.
        self.read_only_reason: str | Promise = ""
        self._tables: dict[type[models.Model], Table] = {}

    @property
    def object_type(self) -> ObjectType:
        return object_types.get(self.type_name)

    @property
    def tables(self) -> list[Table]:
        """The object type's own table first, then any other holding its records."""
        model = self.object_type.model
        others = [table for table in self._tables.values() if table.model is not model]
        return [self._tables.get(model, Table(model)), *others]

    def table_of(self, record: models.Model) -> Table:
        for table in self.tables:
            if type(record) is table.model:
                return table
        raise LookupError(f"{type(record).__name__} rows are not {self.type_name}.")

    @property
    def can_update(self) -> bool:
        table = self._tables.get(self.object_type.model)
        return table is not None and table.update is not None

    def updates(self, prop: Property) -> bool:
        """Whether `update` sets this property (others are derived, or set by a service of
        their own, like an invoice's owner)."""
        editable = self.editable is None or prop.name in self.editable
        return self.can_update and editable and is_writable(prop)

    def find(self, pk: object) -> models.Model | None:
        """The record with this id, in whichever of the type's tables holds it."""
        for table in self.tables:
            found: models.Model | None = table.model._default_manager.filter(pk=pk).first()
            if found is not None:
                return found
        return None

    def create_record(
        self, values: Values, *, actor: Actor, associated: Associated | None = None
    ) -> models.Model:
        """Create a record with its associations, in one transaction."""
        label = self.object_type.label
        if self.create is None:
            raise RuleViolation(
                gettext("%(label)s cannot be created here.") % {"label": label}, code="read_only"
            )
        associated = associated or {}
        filled = self._filled(associated)
        values = {**values, **{k: v for k, v in filled.items() if values.get(k) in (None, "")}}
        with transaction.atomic():
            record = self.create(values, actor=actor, associated=associated)
            for target, others in associated.items():
                if target not in self.created_with:
                    self._associate(record, target, others, actor=actor)
        if len(self.tables) == 1:
            return record
        # An association may have moved it to another of the type's tables (ADR 0006).
        return self.find(record.pk) or record

    def _associate(
        self, record: models.Model, target: str, others: Iterable[models.Model], *, actor: Actor
    ) -> None:
        """Associations a create service does not make itself, one by one."""
        association = associations.get((self.type_name, target))
        if association is None or association.add is None:
            kind = target.replace("_", " ")
            raise RuleViolation(
                gettext(
                    "%(label)s cannot be associated with %(kind)s this way: make the association "
                    "from the %(kind)s instead."
                )
                % {"label": self.object_type.label, "kind": kind},
                code="association_not_supported",
            )
        for other in others:
            association.add(record, other, actor=actor)

    def _filled(self, associated: Associated) -> dict[str, Any]:
        filled: dict[str, Any] = {}
        for target, others in associated.items():
            association = associations.get((self.type_name, target))
            if association is not None and association.fills is not None:
                for other in others:
                    filled.update(association.fills(other))
        return filled

    def update_record(self, record: models.Model, *, actor: Actor, values: Values) -> models.Model:
        update = self.table_of(record).update
        if update is None:
            reason = str(self.read_only_reason) or gettext("%(label)s cannot be changed.") % {
                "label": self.object_type.label
            }
            raise RuleViolation(reason, code="read_only")
        return update(record, actor=actor, values=values)

    def archive_record(self, record: models.Model, *, actor: Actor) -> None:
        archive = self.table_of(record).archive
        if archive is None:
            raise RuleViolation(
                gettext("%(label)s cannot be archived or deleted.")
                % {"label": self.object_type.label},
                code="read_only",
            )
        archive(record, actor=actor)

    def declare(
        self,
        *,
        model: type[models.Model] | None = None,
        create: Create | None = None,
        created_with: Collection[str] = (),
        create_many: CreateMany | None = None,
        update_many: UpdateMany | None = None,
        archive_many: ArchiveMany | None = None,
        max_batch: int | None = None,
        update: Update | None = None,
        archive: Archive | None = None,
        editable: Collection[str] | None = None,
        read_only_reason: str | Promise = "",
    ) -> None:
        """Declare services of this type; each is declared once, by whichever app owns it."""
        if create is not None:
            self._once("create", self.create)
            self.create, self.created_with = create, frozenset(created_with)
        if create_many or update_many or archive_many:
            self._once("batch services", self.create_many or self.update_many or self.archive_many)
            self.create_many, self.update_many = create_many, update_many
            self.archive_many, self.max_batch = archive_many, max_batch
        if editable is not None:
            self._once("editable", self.editable)
            self.editable = frozenset(editable)
        if read_only_reason:
            self._once("read_only_reason", self.read_only_reason or None)
            self.read_only_reason = read_only_reason
        if update is not None or archive is not None:
            table = self._tables.get(model or self.object_type.model)
            if table is None:
                table = Table(model or self.object_type.model)
            if update is not None:
                self._once(f"update of {table.model.__name__}", table.update)
            if archive is not None:
                self._once(f"archive of {table.model.__name__}", table.archive)
            self._tables[table.model] = Table(
                table.model, update or table.update, archive or table.archive
            )
        elif model is not None:
            self._tables.setdefault(model, Table(model))

    def _once(self, what: str, current: object) -> None:
        if current is not None:
            raise ValueError(f"The {what} of {self.type_name} is declared twice.")


_services: dict[str, RecordServices] = {}
associations: dict[tuple[str, str], Association] = {}


def services_for(type_name: str) -> RecordServices:
    """The services of an object type (by its name: "invoices"), declared or being declared."""
    if type_name not in _services:
        _services[type_name] = RecordServices(type_name)
    return _services[type_name]


def declare_association(association: Association) -> Association:
    key = (association.source, association.target)
    if key in associations:
        raise ValueError(f"The association {key[0]} → {key[1]} is declared twice.")
    associations[key] = association
    return association


def associations_of(source: str) -> list[Association]:
    """The associations of a type's records, in the order the apps declared them."""
    return [a for a in associations.values() if a.source == source]


def type_name_of(record: models.Model) -> str:
    """The object type a record belongs to, whichever of its tables holds it."""
    for services in _services.values():
        if type(record) in services._tables:
            return services.type_name
    for object_type in object_types:
        if object_type.model is type(record):
            return object_type.name
    raise LookupError(f"{type(record).__name__} has no declared object type.")


def associated(record: models.Model, target: str) -> list[models.Model]:
    """Every record of type `target` associated with `record`, in association order."""
    association = associations.get((type_name_of(record), target))
    return list(association.records(record)) if association else []


def primary_associated(record: models.Model, target: str) -> models.Model | None:
    """The record of type `target` that stands for the association: a deal's first contact, an
    invoice's oldest company, a payment's invoice. None when there is none."""
    association = associations.get((type_name_of(record), target))
    if association is None or association.primary is None:
        return None
    return association.primary(record)
