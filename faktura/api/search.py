"""HubSpot's CRM search (reference H-38, H-39): filter groups ORed, filters inside a group ANDed,
every operator HubSpot lists, one sort, free-text query, offset paging up to 10,000 results.

Each filter becomes a condition of the index pages' filters (`faktura.listings.filters`), which
build the query: one implementation for both. What is HubSpot's stays here: its limits, its
operator names, its values (epoch milliseconds, exact moments) and its error texts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import F, OrderBy, Q, QuerySet
from django.utils import timezone

from faktura.api.adapters import Adapter
from faktura.api.errors import validation_error
from faktura.api.wire import _epoch
from faktura.core.properties import Property, object_types
from faktura.core.properties import PropertyType as T
from faktura.core.record_services import associations
from faktura.listings import filters
from faktura.listings.queries import sort_path
from faktura.listings.quick_search import is_record_id, search_length_problem, text_search_q

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
MAX_RESULTS = 10_000
Op = filters.Operator
# Each HubSpot operator as the index pages' filters know it (H-39): "not" keeps the records
# without a value, and text compares without case, enumerations exactly, as HubSpot does.
OPERATORS = {
    "EQ": Op.IS, "NEQ": Op.IS_NOT, "LT": Op.LT, "LTE": Op.AT_MOST, "GT": Op.GT,
    "GTE": Op.AT_LEAST, "BETWEEN": Op.BETWEEN, "IN": Op.ANY_OF, "NOT_IN": Op.NONE_OF,
    "HAS_PROPERTY": Op.KNOWN, "NOT_HAS_PROPERTY": Op.UNKNOWN, "CONTAINS_TOKEN": Op.HAS_WORD,
    "NOT_CONTAINS_TOKEN": Op.NOT_HAS_WORD,
}  # fmt: skip
# On dates, less and greater are before and after.
ON_DATES = {Op.LT: Op.BEFORE, Op.GT: Op.AFTER}


@dataclass(frozen=True)
class Filter:
    propertyName: str
    operator: str
    value: Any = None
    highValue: Any = None
    values: list[Any] | None = None


def check_limits(groups: list[list[Filter]], limit: int, after: int) -> None:
    if len(groups) > MAX_GROUPS:
        raise validation_error(
            f"There are {len(groups)} filter groups; a search allows at most {MAX_GROUPS}.",
            code="TOO_MANY_FILTER_GROUPS",
        )
    for group in groups:
        if len(group) > MAX_FILTERS_PER_GROUP:
            raise validation_error(
                f"A filter group has {len(group)} filters; at most {MAX_FILTERS_PER_GROUP} "
                "are allowed per group.",
                code="TOO_MANY_FILTERS",
            )
    total = sum(len(g) for g in groups)
    if total > MAX_FILTERS:
        raise validation_error(
            f"There are {total} filters in all; a search allows at most {MAX_FILTERS}.",
            code="TOO_MANY_FILTERS",
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise validation_error(
            f"limit is {limit}; it must be between 1 and {MAX_LIMIT}.", code="INVALID_LIMIT"
        )
    if after + limit > MAX_RESULTS:
        raise validation_error(
            f"A search returns at most {MAX_RESULTS:,} results; narrow the filters instead of "
            "paging further.",
            code="TOO_MANY_RESULTS",
        )


def to_q(adapter: Adapter, groups: list[list[Filter]]) -> tuple[Q, set[Property]]:
    """One Q for the groups, built by the index pages' filters, and the computed properties it
    needs annotated."""
    conditions = tuple(
        tuple(_condition(adapter, item) for item in group) for group in groups if group
    )
    needed = {
        c.prop for group in conditions for c in group if c.prop.field is None and c.prop.expression
    }
    return filters.to_q(filters.Filters(conditions)), needed


def annotate(records: QuerySet[Any], needed: set[Property]) -> QuerySet[Any]:
    expressions = {filters.annotation_name(p): p.expression() for p in needed if p.expression}
    return records.annotate(**expressions) if expressions else records


def query_q(adapter: Adapter, text: str) -> Q:
    """The free-text `query`, as the index pages' quick search reads it."""
    if problem := search_length_problem(text):
        raise validation_error(problem, code="QUERY_TOO_LONG")
    return text_search_q(adapter.object_type, text)


def _sort_rule(adapter: Adapter, sorts: list[Any]) -> tuple[Property, bool] | None:
    """The one sort rule, as an object {propertyName, direction} or a string ("-hs_due_date"):
    its property and whether it is descending."""
    if not sorts:
        return None
    if len(sorts) > 1:
        raise validation_error("A search allows one sort rule.", code="TOO_MANY_SORTS")
    rule = sorts[0]
    if isinstance(rule, str):
        name, descending = rule.lstrip("-"), rule.startswith("-")
    elif isinstance(rule, dict):
        name = str(rule.get("propertyName", ""))
        descending = str(rule.get("direction", "ASCENDING")).upper() == "DESCENDING"
    else:
        raise validation_error(
            'A sort rule is {"propertyName": "…", "direction": "ASCENDING"|"DESCENDING"} or a '
            'property name ("-name" for descending).',
            code="INVALID_SORT",
        )
    prop = adapter.object_type._by_name.get(name)
    if prop is None or not prop.queryable:
        raise validation_error(
            f"Cannot sort by {name!r}: it is not a sortable property of {adapter.name}.",
            code="INVALID_SORT",
            propertyName=name,
        )
    return prop, descending


def sort_order(adapter: Adapter, sorts: list[Any]) -> tuple[list[OrderBy], set[Property]]:
    """The ORDER BY of a search, records without a value last in either direction (as the
    merge of two tables in `merge_key` orders them, on every database)."""
    rule = _sort_rule(adapter, sorts)
    if rule is None:
        return [F("pk").asc()], set()
    prop, descending = rule
    needed = {prop} if prop.field is None else set()
    if descending:
        return [F(sort_path(prop)).desc(nulls_last=True), F("pk").desc()], needed
    return [F(sort_path(prop)).asc(nulls_last=True), F("pk").asc()], needed


def merge_key(adapter: Adapter, sorts: list[Any]) -> Callable[[Any], Any]:
    """The sort order in Python, to merge rows from two tables (line items): value, then id."""
    rule = _sort_rule(adapter, sorts)
    if rule is None:
        return lambda row: row.pk
    prop, descending = rule
    sign = -1 if descending else 1

    def key(row: Any) -> Any:
        value = prop.read(row)
        return (value is None, _Reversed(value) if descending else value, sign * row.pk)

    return key


class _Reversed:
    """Orders any comparable value backwards (for a descending merge)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and bool(self.value == other.value)


def _property(adapter: Adapter, name: str) -> Property | None:
    if name.startswith("associations."):
        return None
    if name not in adapter.object_type._by_name:
        raise validation_error(
            f'Property "{name}" does not exist on {adapter.name}.',
            code="PROPERTY_DOESNT_EXIST",
            propertyName=name,
        )
    prop = adapter.object_type.property(name)
    if not prop.queryable:
        raise validation_error(
            f'Property "{name}" cannot be searched on.', code="INVALID_FILTER", propertyName=name
        )
    return prop


def _association_condition(adapter: Adapter, item: Filter) -> filters.Condition:
    """associations.<type> EQ <id> (or IN [ids]): records associated with those records."""
    singular = item.propertyName.removeprefix("associations.")
    target = next((t.name for t in object_types if t.singular == singular), "")
    association = associations.get((adapter.name, target))
    operator = item.operator.upper()
    if association is None or association.lookup is None or operator not in ("EQ", "IN"):
        raise validation_error(
            f"Searching {adapter.name} by {item.propertyName} with {item.operator} is not "
            "supported; use associations.<contact|company|deal|quote> EQ <id>.",
            code="INVALID_FILTER",
        )
    raw = item.values if operator == "IN" else [item.value]
    ids = [int(v) for v in (raw or []) if is_record_id(str(v))]
    prop = Property(item.propertyName, f"Associated {singular}", T.NUMBER, association.lookup)
    return filters.parsed_condition(prop, filters.Operator.ANY_OF, ids)


def _condition(adapter: Adapter, item: Filter) -> filters.Condition:
    """One HubSpot filter as the index pages' condition, its value read as HubSpot sends it."""
    if item.values and len(item.values) > filters.MAX_VALUES:
        # Each value is one SQL parameter (or one OR): SQLite refuses past 999 of them.
        raise validation_error(
            f"The {item.operator} filter on {item.propertyName} has {len(item.values):,} "
            f"values; a filter takes at most {filters.MAX_VALUES}. Split it into several "
            "searches.",
            code="TOO_MANY_VALUES",
            propertyName=item.propertyName,
        )
    prop = _property(adapter, item.propertyName)
    if prop is None:  # associations.<type>
        return _association_condition(adapter, item)
    op = item.operator.upper()
    if op not in OPERATORS:
        raise validation_error(
            f"Unknown operator {item.operator!r}. Use one of: {', '.join(OPERATORS)}.",
            code="INVALID_OPERATOR",
        )
    operator = OPERATORS[op]
    if prop.type in (T.DATE, T.DATETIME):
        operator = ON_DATES.get(operator, operator)
    if operator in filters.NO_VALUE:
        values: list[Any] = []
    elif op in ("IN", "NOT_IN"):
        values = [_value(prop, v) for v in (item.values or [])]
        if not values:
            raise validation_error(f"{op} needs `values` for {prop.name}.", code="INVALID_FILTER")
    elif op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        if item.value in (None, ""):
            raise validation_error(
                f"A value is needed to filter on {prop.name}.", code="INVALID_FILTER"
            )
        values = [str(item.value)]
    elif op == "BETWEEN":
        values = [_value(prop, item.value), _value(prop, item.highValue)]
    else:
        values = [_value(prop, item.value)]
    return filters.parsed_condition(prop, operator, values)


# Amounts are DECIMAL(18,4) and ids 64-bit: a filter value beyond these matches nothing useful,
# and a huge exponent costs the database seconds to compare.
LARGEST_NUMBER = Decimal("1e18")
MOST_DECIMALS = 10


def _number(text: str) -> Decimal:
    number = Decimal(text)
    if not number.is_finite() or abs(number) >= LARGEST_NUMBER:
        raise ValueError(text)
    if number and -int(number.normalize().as_tuple().exponent) > MOST_DECIMALS:
        raise ValueError(text)
    return number


def _value(prop: Property, raw: Any) -> Any:
    if raw is None:
        raise validation_error(
            f"A value is needed to filter on {prop.name}.", code="INVALID_FILTER"
        )
    text = str(raw).strip()
    try:
        match prop.type:
            case T.NUMBER:
                return _number(text)
            case T.BOOL:
                return text.lower() == "true"
            case T.DATE | T.DATETIME if text.lstrip("-").isdigit():
                return _epoch(prop, int(text))
            case T.DATE:
                return dt.date.fromisoformat(text[:10])
            case T.DATETIME:
                moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                # Without an offset, in the account's time zone (as Django reads it).
                return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
            case _:
                return text
    except (ValueError, InvalidOperation):
        raise validation_error(
            f"{text!r} is not a valid {prop.type.value} to filter {prop.name} by.",
            code="INVALID_FILTER",
            propertyName=prop.name,
        ) from None
