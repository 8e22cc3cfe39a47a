"""A property's value in a table cell and in an export file.

Numbers that point at another record (an owner, a deal, a contact) show that record's name
and link to it; enumerations show their labels; money shows the record's currency. Numbers in
a cell are written in the person's locale; export values stay canonical.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import dateformat, timezone

from faktura.core.locales import format_money_for_people, format_number, people_locale
from faktura.core.money import currency_of, plain
from faktura.core.properties import Property, object_type_for
from faktura.core.properties import PropertyType as T
from faktura.core.references import record_name, reference_field
from faktura.listings.filters import annotation_name

EMPTY = "—"


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    numeric: bool = False
    empty: bool = False


def relations_to_load(model: type[models.Model], columns: tuple[Property, ...]) -> list[str]:
    return [field.name for prop in columns if (field := reference_field(model, prop)) is not None]


def value_of(prop: Property, record: models.Model) -> Any:
    """The typed value a person reads: the related record, an option's label, a number..."""
    if (field := reference_field(type(record), prop)) is not None:
        return getattr(record, field.name)
    # Lists annotate computed properties that have a database expression (same value).
    annotated = annotation_name(prop)
    value = getattr(record, annotated) if hasattr(record, annotated) else prop.read(record)
    if value is None or value == "":
        return None
    if prop.type == T.ENUMERATION:
        return prop.display(str(value))
    return value


def cell(prop: Property, record: models.Model) -> Cell:
    value = value_of(prop, record)
    if value is None:
        return Cell(EMPTY, empty=True)
    if isinstance(value, models.Model):
        url = value.get_absolute_url() if hasattr(value, "get_absolute_url") else ""
        return Cell(record_name(value), url=url)
    if isinstance(value, bool):
        return Cell("Yes" if value else "No")
    if isinstance(value, dt.datetime):
        return Cell(dateformat.format(timezone.localtime(value), "M j, Y H:i"))
    if isinstance(value, dt.date):
        return Cell(dateformat.format(value, "M j, Y"))
    if isinstance(value, Decimal | int) and prop.type == T.NUMBER:
        return Cell(_number_text(prop, record, value), numeric=True)
    return Cell(str(value))


def _number_text(prop: Property, record: models.Model, value: Decimal | int) -> str:
    """In the person's locale (DOC-4): "1 000,50 NOK", "8,625"; ids stay plain digits."""
    if prop.money:
        if currency := currency_of(record):
            return format_money_for_people(Decimal(value), currency)
        return format_number(round(Decimal(value), 2), people_locale(), grouped=True, decimals=2)
    if isinstance(value, int):
        return str(value)
    return format_number(value, people_locale())


def export_value(prop: Property, record: models.Model) -> Any:
    """The value for a CSV or XLSX cell: text, a plain Decimal, a date, or None."""
    value = value_of(prop, record)
    if value is None:
        return None
    if isinstance(value, models.Model):
        return record_name(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(microsecond=0)
    if isinstance(value, Decimal):
        return Decimal(plain(value))
    return value


@dataclass(frozen=True)
class PropertyRow:
    name: str
    label: str
    cell: Cell


def property_rows(record: models.Model) -> list[PropertyRow]:
    """Every declared property of a record, with its value as a person reads it."""
    return [
        PropertyRow(p.name, p.label, cell(p, record)) for p in object_type_for(record).properties
    ]
