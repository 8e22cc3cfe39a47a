"""The records an index page lists: filtered, searched, sorted and paged by keyset.

Keyset (cursor) paging orders by (sort value, id) and asks for the rows past the last one
shown, so page 10,000 costs what page 1 costs; nothing ever counts more than COUNT_LIMIT rows.
Empty values sort last in both directions.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, OrderBy, Q, QuerySet

from faktura.core.properties import ObjectType, Property, load_for_reading
from faktura.listings import filters as flt
from faktura.listings.columns import relations_to_load
from faktura.listings.quick_search import text_search_q
from faktura.listings.state import ListingState

COUNT_LIMIT = 10_000


class CursorError(ValueError):
    pass


def matching(state: ListingState) -> QuerySet[Any]:
    """Every record the state's filters and search select (unordered, nothing extra loaded).
    Archived records are never listed (nor counted or exported)."""
    sort = {state.sort.prop.name} if state.sort else set()
    records = filtered(state.object_type, state.filters, also=sort)
    if state.search:
        records = records.filter(search_q(state))
    return records


def filtered(
    object_type: ObjectType, filters: flt.Filters, *, also: Collection[str] = ()
) -> QuerySet[Any]:
    """The type's unarchived records that meet the filters (AND in a group, OR between groups),
    with the computed properties they use (and those named in `also`) annotated. Index pages
    and workflow triggers and branches select records through this one function."""
    records: QuerySet[Any] = object_type.unarchived(object_type.model._default_manager.all())
    needed = filters.properties() | set(also)
    expressions = {
        flt.annotation_name(p): p.expression()
        for p in object_type.properties
        if p.name in needed and p.field is None and p.expression is not None
    }
    if expressions:
        records = records.annotate(**expressions)
    return records.filter(flt.to_q(filters)) if filters else records


def search_q(state: ListingState) -> Q:
    """The quick search of an index page; a type without search properties finds nothing."""
    found = text_search_q(state.object_type, state.search, locale=state.locale)
    return found or Q(pk__in=[])


def for_columns(records: QuerySet[Any], columns: tuple[Property, ...]) -> QuerySet[Any]:
    """Load what the columns read (related records, line items...) in a few queries; computed
    columns with an expression come from the database, in the same query."""
    expressions = {
        flt.annotation_name(p): p.expression()
        for p in columns
        if p.field is None
        and p.expression is not None
        and flt.annotation_name(p) not in records.query.annotations
    }
    if expressions:
        records = records.annotate(**expressions)
    records = load_for_reading(records, [p for p in columns if p.name not in _annotated(columns)])
    if related := relations_to_load(records.model, columns):
        records = records.select_related(*related)
    return records


def _annotated(columns: tuple[Property, ...]) -> set[str]:
    return {p.name for p in columns if p.field is None and p.expression is not None}


def count(state: ListingState) -> tuple[int, bool]:
    """How many records match, counting at most COUNT_LIMIT: (number, whether there are more)."""
    found = matching(state).order_by().values("pk")[: COUNT_LIMIT + 1].count()
    return min(found, COUNT_LIMIT), found > COUNT_LIMIT


# --- sorting and keyset paging ---------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    path: str
    descending: bool
    nullable: bool
    name: str  # the sort as the URL spells it; a cursor belongs to one sort

    def order(self, *, reverse: bool = False) -> list[OrderBy]:
        descending = self.descending != reverse
        if self.nullable:
            # Forward: empty values last; backward is the exact mirror (empty values first).
            sort = OrderBy(
                F(self.path),
                descending=descending,
                nulls_last=True if not reverse else None,
                nulls_first=True if reverse else None,
            )
        else:
            sort = OrderBy(F(self.path), descending=descending)
        return [sort, OrderBy(F("pk"), descending=descending)]

    def value(self, record: models.Model) -> Any:
        value: Any = record
        for part in self.path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value


def sort_path(prop: Property) -> str:
    """Where the database finds the value a property sorts by (index pages, the API's search)."""
    return prop.sort_field or flt.lookup_path(prop)


def sort_key(state: ListingState) -> SortKey:
    if state.sort is None:
        return SortKey("pk", True, False, "")
    path = sort_path(state.sort.prop)
    return SortKey(
        path,
        state.sort.descending,
        _nullable(state.object_type.model, path),
        state.sort.param,
    )


def ordered(state: ListingState) -> QuerySet[Any]:
    return matching(state).order_by(*sort_key(state).order())


def _nullable(model: type[models.Model], path: str) -> bool:
    if "__" in path:
        return True
    try:
        return bool(model._meta.get_field(path).null)
    except FieldDoesNotExist:
        # An attname such as "owner_id", or a computed property's annotation.
        field = next((f for f in model._meta.concrete_fields if f.attname == path), None)
        return field is None or bool(field.null)


def past(key: SortKey, value: Any, pk: Any, *, descending: bool, nulls_last: bool) -> Q:
    """The records after (value, pk) in ORDER BY sort [DESC] NULLS LAST|FIRST, pk [DESC]."""
    later = "lt" if descending else "gt"
    pk_later = Q(**{f"pk__{later}": pk})
    path = key.path
    if value is None:
        nulls_after = Q(**{f"{path}__isnull": True}) & pk_later
        return nulls_after if nulls_last else nulls_after | Q(**{f"{path}__isnull": False})
    # The redundant `>=` lets the database start its index scan at the cursor.
    after = Q(**{f"{path}__{later}e": value}) & (
        Q(**{f"{path}__{later}": value}) | (Q(**{path: value}) & pk_later)
    )
    if nulls_last and key.nullable:
        after |= Q(**{f"{path}__isnull": True})
    return after


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next_cursor: str  # empty when this is the last page
    previous_cursor: str  # empty when this is the first page


def page(state: ListingState, columns: tuple[Property, ...] | None = None) -> Page:
    """One page of records; raises CursorError when the page link does not fit the list."""
    key = sort_key(state)
    size = state.page_size
    records = for_columns(matching(state), columns if columns is not None else state.columns)
    if state.before:
        value, pk = decode_cursor(state.before, key)
        found = list(
            records.filter(
                past(key, value, pk, descending=not key.descending, nulls_last=False)
            ).order_by(*key.order(reverse=True))[: size + 1]
        )
        more_before = len(found) > size
        rows = list(reversed(found[:size]))
        return Page(
            rows,
            next_cursor=encode_cursor(key, rows[-1]) if rows else "",
            previous_cursor=encode_cursor(key, rows[0]) if rows and more_before else "",
        )
    if state.after:
        value, pk = decode_cursor(state.after, key)
        records = records.filter(past(key, value, pk, descending=key.descending, nulls_last=True))
    found = list(records.order_by(*key.order())[: size + 1])
    rows = found[:size]
    return Page(
        rows,
        next_cursor=encode_cursor(key, rows[-1]) if len(found) > size else "",
        previous_cursor=encode_cursor(key, rows[0]) if state.after and rows else "",
    )


def encode_cursor(key: SortKey, record: models.Model) -> str:
    data = [key.name, _typed(key.value(record)), record.pk]
    text = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, key: SortKey) -> tuple[Any, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, typed, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value = _untyped(typed)
    except (binascii.Error, ValueError, TypeError, ArithmeticError):
        raise CursorError("The page link is damaged.") from None
    if name != key.name or not isinstance(pk, int):
        raise CursorError("The page link belongs to another sort order.")
    return value, pk


def _typed(value: Any) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["n", str(value)]
    if isinstance(value, int):
        return ["i", value]
    return ["s", str(value)]


def _untyped(typed: Any) -> Any:
    if typed is None:
        return None
    kind, value = typed
    match kind:
        case "b":
            return bool(value)
        case "t":
            return dt.datetime.fromisoformat(value)
        case "d":
            return dt.date.fromisoformat(value)
        case "n":
            return Decimal(value)
        case "i":
            return int(value)
        case "s":
            return str(value)
    raise ValueError(kind)
