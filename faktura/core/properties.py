"""Properties are declared once per object type; filters, columns, export, history and the
API's property metadata all derive from these declarations (ARCHITECTURE §4.4)."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import models

from faktura.core.errors import RuleViolation
from faktura.core.money import exponent_refused, plain, written_with_exponent
from faktura.core.registry import Registry
from faktura.core.text_input import check_text


class PropertyType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    ENUMERATION = "enumeration"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Option:
    value: str
    label: str


def options_from(choices: type[models.Choices]) -> tuple[Option, ...]:
    return tuple(Option(str(value), str(label)) for value, label in choices.choices)


@dataclass(frozen=True)
class Property:
    name: str
    label: str
    type: PropertyType
    # Attribute path on the model ("owner_id", "deal__name"); also the ORM lookup path.
    field: str | None = None
    options: tuple[Option, ...] = ()
    # Set by Faktura (numbers, totals, timestamps), never by a user or API client directly.
    read_only: bool = False
    # Time-dependent values (e.g. days overdue) change without an event: not recorded in history.
    tracked: bool = True
    compute: Callable[[Any], Any] | None = None
    description: str = ""
    # The computed value as an ORM expression (built per query: it may depend on today's date),
    # so a property without a field can still be filtered and sorted in the database.
    expression: Callable[[], Any] | None = None
    # What reading the value needs loaded with the record, so a list of records reads every
    # value without a query per row: select_related paths and prefetch_related lookups.
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str | models.Prefetch, ...] = ()
    # A NUMBER that is an amount of money in the record's `currency`.
    money: bool = False
    # The ORM path that orders it when that differs from the value shown: invoice numbers
    # ("INV-10") sort by their sequence (10), not as text. Lists and the API's search use it.
    sort_field: str | None = None

    @property
    def queryable(self) -> bool:
        """Whether the database can filter and sort by it (a field or an expression)."""
        return self.field is not None or self.expression is not None

    def read(self, obj: models.Model) -> Any:
        if self.compute is not None:
            return self.compute(obj)
        value: Any = obj
        for part in (self.field or self.name).split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value

    def to_text(self, value: Any) -> str | None:
        """The value as text, as history stores it and the API returns it."""
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        if isinstance(value, Decimal):
            # One spelling per value, whatever precision the column stored: 37.5300 → "37.53".
            return plain(value)
        if isinstance(value, dt.date | int):
            return str(value)
        if isinstance(value, models.Model):
            return str(value.pk)
        return str(value)

    def display(self, text: str | None) -> str:
        """A stored text value as a person reads it (option labels instead of codes)."""
        if text is None:
            return "(empty)"
        for option in self.options:
            if option.value == text:
                return option.label
        return text


@dataclass(frozen=True)
class ObjectType:
    name: str  # plural, as in API paths: "invoices"
    singular: str  # as in history and event names: "invoice"
    label: str
    model: type[models.Model]
    properties: tuple[Property, ...]
    hubspot_type_id: str = ""
    # The model's datetime field set while a record is archived (HubSpot's recycling bin: hidden
    # from lists, pickers and search, restorable); None for types that cannot be archived.
    archive_field: str | None = None
    _by_name: dict[str, Property] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {p.name: p for p in self.properties})

    def property(self, name: str) -> Property:
        try:
            return self._by_name[name]
        except KeyError:
            raise RuleViolation(
                f"Property '{name}' does not exist on {self.name}.", code="unknown_property"
            ) from None

    def snapshot(self, obj: models.Model) -> dict[str, str | None]:
        """Every tracked property's current value as text: the 'before' and 'after' of a change."""
        return {p.name: p.to_text(p.read(obj)) for p in self.properties if p.tracked}

    @builtins.property  # `property` in this class body is the method above
    def noun(self) -> str:
        """One record as a sentence names it: "deal", "line item"."""
        return self.singular.replace("_", " ")

    @builtins.property
    def nouns(self) -> str:
        """Several records as a sentence names them: "deals", "line items"."""
        return self.label.lower()

    @builtins.property
    def archivable(self) -> bool:
        return self.archive_field is not None

    def archived_at(self, obj: models.Model) -> dt.datetime | None:
        """When the record was archived; None while it is active (or cannot be archived)."""
        return getattr(obj, self.archive_field) if self.archive_field else None

    def unarchived[M: models.Model](self, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
        """The active records: what lists, pickers and search offer."""
        if self.archive_field is None:
            return queryset
        return queryset.filter(**{f"{self.archive_field}__isnull": True})

    def archived[M: models.Model](self, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
        """The archived records only (none for a type that cannot be archived)."""
        if self.archive_field is None:
            return queryset.none()
        return queryset.filter(**{f"{self.archive_field}__isnull": False})


object_types: Registry[ObjectType] = Registry("object type")


def load_for_reading[M: models.Model](
    queryset: models.QuerySet[M], properties: Iterable[Property]
) -> models.QuerySet[M]:
    """The queryset with what reading these properties needs loaded in a few queries."""
    selects: list[str] = []
    prefetches: dict[str, str | models.Prefetch] = {}
    for prop in properties:
        selects.extend(s for s in prop.select_related if s not in selects)
        for lookup in prop.prefetch_related:
            key = lookup.prefetch_to if isinstance(lookup, models.Prefetch) else lookup
            prefetches.setdefault(key, lookup)
    if selects:
        queryset = queryset.select_related(*selects)
    if prefetches:
        queryset = queryset.prefetch_related(*prefetches.values())
    return queryset


def unarchived[M: models.Model](queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """The queryset without archived records, for a model with a declared object type."""
    return object_type_for(queryset.model).unarchived(queryset)


def object_type_for(model: type[models.Model] | models.Model) -> ObjectType:
    model_class = model if isinstance(model, type) else type(model)
    for object_type in object_types:
        if object_type.model is model_class:
            return object_type
    raise LookupError(f"{model_class.__name__} has no declared object type.")


def record_type(obj: models.Model) -> str:
    """The type name history and outbound emails file a record under: its declared object
    type's singular name, or "user" for a user (users have a history and get emails, but are no
    object type: no index page, no properties, no API object), or a model's `history_type`."""
    if obj._meta.label_lower == settings.AUTH_USER_MODEL.lower():
        return "user"
    # A setting with a history of its own but no object type (a QuickBooks connection).
    if history_type := getattr(obj, "history_type", None):
        return str(history_type)
    return object_type_for(obj).singular


def check_single_value(prop: Property, value: Any) -> None:
    """Refuse what is no single value of the property: a JSON object or list (stored as text it
    read "{'a': 1}"), or text holding a control character (faktura.core.text_input)."""
    if isinstance(value, dict | list | tuple | set):
        raise RuleViolation(
            f"{prop.label} ({prop.name}) takes one {prop.type.value} value; it was sent "
            f"{'an object' if isinstance(value, dict) else 'a list'}.",
            code="invalid_value",
        )
    if isinstance(value, str):
        check_text(value, f"{prop.label} ({prop.name})")


def parse_value(prop: Property, value: Any) -> Any:
    """Turn input (text from a form or the API, or a Python value) into the property's type."""
    if value is None or value == "":
        return None if prop.type != PropertyType.STRING else ""
    check_single_value(prop, value)
    try:
        match prop.type:
            case PropertyType.BOOL:
                if isinstance(value, bool):
                    return value
                text = str(value).strip().lower()
                if text not in {"true", "false", "1", "0", "yes", "no"}:
                    raise ValueError
                return text in {"true", "1", "yes"}
            case PropertyType.NUMBER:
                number = Decimal(str(value).strip())
                if not number.is_finite():
                    raise ValueError
                if written_with_exponent(value, number):  # DOC-4: "1e3" is not 1000
                    raise exponent_refused(prop.label, value)
                return number
            case PropertyType.DATE:
                return (
                    value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
                )
            case PropertyType.DATETIME:
                return (
                    value
                    if isinstance(value, dt.datetime)
                    else dt.datetime.fromisoformat(str(value))
                )
            case PropertyType.ENUMERATION:
                if str(value) not in {o.value for o in prop.options}:
                    allowed = ", ".join(o.value for o in prop.options)
                    raise RuleViolation(
                        f"'{value}' is not a valid {prop.label}. Use one of: {allowed}.",
                        code="invalid_option",
                    )
                return str(value)
            case _:
                return str(value).strip()
    except (ValueError, ArithmeticError):
        raise RuleViolation(
            f"'{value}' is not a valid {prop.type.value} for {prop.label}.", code="invalid_value"
        ) from None
