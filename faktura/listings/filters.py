"""Advanced filters (INV-24): conditions on declared properties, AND inside a group, OR between
groups, parsed from the URL and turned into one Django Q.

In the URL each condition is one `f` parameter, `group:property:operator:values`, e.g.
`f=0:hs_invoice_status:any_of:open,paid&f=0:hs_due_date:before:2026-01-31&f=1:hs_tax:gt:100`.
Several values (is any of, between) are separated by commas. Filter rows submitted from the
page's filter editor arrive as `f-<row>-group`, `f-<row>-prop`, `f-<row>-op`, `f-<row>-value`.
Numbers in the URL are canonical ("5000.5") so links can be shared; in the editor a person
types and reads them in their locale ("5 000,5" in nb-NO; DOC-4).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from faktura.core.errors import RuleViolation
from faktura.core.locales import number_for_input, people_locale, read_amount
from faktura.core.money import plain, written_with_exponent
from faktura.core.properties import ObjectType, Property
from faktura.core.properties import PropertyType as T
from faktura.core.references import RecordNames, referred_model
from faktura.core.text_input import text_problem

MAX_GROUPS = 10
MAX_CONDITIONS = 20
MAX_VALUES = 100
MAX_DAYS = 36_500


class Operator(StrEnum):
    IS = "is"
    IS_NOT = "is_not"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    ANY_OF = "any_of"
    NONE_OF = "none_of"
    GT = "gt"
    LT = "lt"
    BETWEEN = "between"
    BEFORE = "before"
    AFTER = "after"
    LAST_DAYS = "last_days"
    NEXT_DAYS = "next_days"
    TRUE = "true"
    FALSE = "false"
    KNOWN = "known"
    UNKNOWN = "unknown"
    # Not offered in the operator menus; the API's search uses them (HubSpot's GTE, LTE,
    # CONTAINS_TOKEN and NOT_CONTAINS_TOKEN).
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    HAS_WORD = "has_word"
    NOT_HAS_WORD = "not_has_word"


Op = Operator
_KNOWN = ((Op.KNOWN, "is known"), (Op.UNKNOWN, "is unknown"))
_DATES = (
    (Op.IS, "is on"),
    (Op.BEFORE, "is before"),
    (Op.AFTER, "is after"),
    (Op.BETWEEN, "is between"),
    (Op.LAST_DAYS, "is in the last"),
    (Op.NEXT_DAYS, "is in the next"),
    *_KNOWN,
)
# The operators that fit each property type, in the order the operator menu offers them.
OPERATORS: dict[T, tuple[tuple[Operator, str], ...]] = {
    T.STRING: (
        (Op.IS, "is"),
        (Op.IS_NOT, "is not"),
        (Op.CONTAINS, "contains"),
        (Op.NOT_CONTAINS, "doesn't contain"),
        (Op.ANY_OF, "is any of"),
        *_KNOWN,
    ),
    T.NUMBER: (
        (Op.IS, "is equal to"),
        (Op.IS_NOT, "is not equal to"),
        (Op.GT, "is greater than"),
        (Op.LT, "is less than"),
        (Op.BETWEEN, "is between"),
        *_KNOWN,
    ),
    T.DATE: _DATES,
    T.DATETIME: _DATES,
    T.ENUMERATION: ((Op.ANY_OF, "is any of"), (Op.NONE_OF, "is none of"), *_KNOWN),
    T.BOOL: ((Op.TRUE, "is true"), (Op.FALSE, "is false"), *_KNOWN),
}
# Labels of the operators no menu offers, for describing a condition that uses one.
OTHER_LABELS = {
    Op.AT_LEAST: gettext_lazy("is at least"),
    Op.AT_MOST: gettext_lazy("is at most"),
    Op.HAS_WORD: gettext_lazy("has the word"),
    Op.NOT_HAS_WORD: gettext_lazy("doesn't have the word"),
}
NO_VALUE = frozenset({Op.KNOWN, Op.UNKNOWN, Op.TRUE, Op.FALSE})
TWO_VALUES = frozenset({Op.BETWEEN})
MANY_VALUES = frozenset({Op.ANY_OF, Op.NONE_OF})
DAY_COUNTS = frozenset({Op.LAST_DAYS, Op.NEXT_DAYS})


class FilterError(ValueError):
    """A filter that cannot be applied; the message says which and why, for the user."""


def operators_for(prop: Property) -> tuple[tuple[Operator, str], ...]:
    return OPERATORS[prop.type]


def operator_label(prop: Property, operator: Operator) -> str:
    return dict(operators_for(prop)).get(operator) or str(OTHER_LABELS.get(operator, operator))


def filterable(object_type: ObjectType) -> list[Property]:
    """Properties the database can filter: a field, or a computed one with an expression."""
    return [p for p in object_type.properties if p.queryable]


@dataclass(frozen=True)
class Condition:
    prop: Property
    operator: Operator
    raw: tuple[str, ...] = ()  # the values as typed, for the URL and the editor
    values: tuple[Any, ...] = ()  # parsed; empty when `error` is set
    error: str = ""
    # The filtered model: a value that is another record's id is described by that record's name.
    model: type[models.Model] | None = None

    @property
    def compact(self) -> str:
        return f"{self.prop.name}:{self.operator}" + (f":{','.join(self.raw)}" if self.raw else "")

    @property
    def shown(self) -> tuple[str, ...]:
        """The values as the person reads them: numbers in their locale ("5 000" in nb-NO)."""
        if self.prop.type != T.NUMBER or self.error or self.operator in DAY_COUNTS:
            return self.raw
        locale = people_locale()
        return tuple(number_for_input(v, locale, grouped=self.prop.money) for v in self.values)

    def describe(self) -> str:
        """The condition as a sentence part: 'Invoice status is any of Open or Paid'."""
        label = f"{self.prop.label} {operator_label(self.prop, self.operator)}"
        if self.operator in NO_VALUE:
            return label
        referred = referred_model(self.model, self.prop) if self.model else None
        if referred is not None:  # an id: the record's name
            names = RecordNames()
            shown = [names.name(referred, value) for value in self.raw]
        else:
            shown = [self.prop.display(value) for value in self.shown]
        if self.operator in DAY_COUNTS:
            if not self.raw:
                return label
            typed = self.raw[0]
            days = ngettext("%(count)s day", "%(count)s days", int(typed) if typed.isdigit() else 0)
            return f"{label} {days % {'count': typed}}"
        if self.operator in TWO_VALUES:
            return f"{label} {' and '.join(shown)}"
        if self.operator in MANY_VALUES:
            return f"{label} {' or '.join(shown)}"
        return f"{label} {shown[0] if shown else ''}".rstrip()


@dataclass(frozen=True)
class Filters:
    """Groups of conditions: AND inside a group, OR between groups."""

    groups: tuple[tuple[Condition, ...], ...] = ()
    problems: tuple[str, ...] = field(default=())  # conditions that could not even be read

    @property
    def errors(self) -> list[str]:
        found = list(self.problems)
        for number, condition in enumerate(self.conditions, start=1):
            if condition.error:
                found.append(f"Filter {number} ({condition.describe()}): {condition.error}")
        return found

    @property
    def conditions(self) -> list[Condition]:
        return [c for group in self.groups for c in group]

    def __bool__(self) -> bool:
        return bool(self.groups)

    def to_query(self) -> list[str]:
        """The `f` parameters of the URL."""
        return [f"{g}:{c.compact}" for g, group in enumerate(self.groups) for c in group]

    def to_json(self) -> list[list[dict[str, Any]]]:
        return [
            [
                {"property": c.prop.name, "operator": str(c.operator), "values": list(c.raw)}
                for c in g
            ]
            for g in self.groups
        ]

    def properties(self) -> set[str]:
        return {c.prop.name for c in self.conditions}


# --- reading filters -------------------------------------------------------------------------


def condition(
    object_type: ObjectType,
    prop_name: str,
    operator: str,
    raw: Iterable[str],
    *,
    typed: bool = False,
) -> Condition:
    """One condition, its values parsed; a bad value gives a condition with an `error`.
    `typed`: the values are as a person typed them in the editor, numbers in their locale.

    Raises FilterError when the property or operator cannot be used at all.
    """
    prop = _filterable_property(object_type, prop_name)
    allowed = dict(operators_for(prop))
    if operator not in allowed:
        offered = ", ".join(f"'{label}'" for label in allowed.values())
        raise FilterError(
            f"'{operator}' is not a way to filter {prop.label}. Use one of: {offered}."
        )
    op = Operator(operator)
    if typed and prop.type == T.NUMBER and op not in NO_VALUE:
        # Each input holds one number, which may have a decimal comma: read it before splitting.
        typed_values = [text.strip() for text in raw if text.strip()]
        locale = people_locale()
        try:
            raw = [plain(read_amount(text, locale, field=prop.label)) for text in typed_values]
        except RuleViolation as refusal:
            return Condition(prop, op, tuple(typed_values), (), refusal.reason)
    values = _split_values(op, raw)
    try:
        parsed = _parse_values(prop, op, values)
    except FilterError as error:
        return Condition(prop, op, values, (), str(error), model=object_type.model)
    return Condition(prop, op, values, parsed, model=object_type.model)


def parsed_condition(prop: Property, operator: Operator, values: Iterable[Any]) -> Condition:
    """A condition whose values are already of the property's type, with any operator
    `condition_q` knows, offered in the menus or not: for callers that read their values in a
    format of their own (the API's epoch milliseconds, exact moments)."""
    parsed = tuple(values)
    return Condition(prop, operator, tuple(prop.to_text(v) or "" for v in parsed), parsed)


def from_query(object_type: ObjectType, params: Iterable[str]) -> Filters:
    """Filters from the URL's `f` parameters."""
    groups: dict[str, list[Condition]] = {}
    problems: list[str] = []
    for text in params:
        parts = text.split(":", 3)
        if len(parts) < 3:
            problems.append(
                f"The filter '{text}' in the address is incomplete. Remove it, or add the "
                "filter again with 'Add filter'."
            )
            continue
        group, prop_name, operator = parts[:3]
        raw = [parts[3]] if len(parts) == 4 else []
        try:
            groups.setdefault(group, []).append(condition(object_type, prop_name, operator, raw))
        except FilterError as error:
            problems.append(str(error))
    return _limited(groups, problems)


def from_rows(object_type: ObjectType, data: Mapping[str, Any]) -> Filters:
    """Filters from the filter editor's rows (`f-<row>-prop`, ...), in the order shown."""
    rows: list[str] = []
    for key in data:
        if key.startswith("f-") and key.count("-") >= 2:
            row = key[2:].rsplit("-", 1)[0]
            if row not in rows:
                rows.append(row)
    groups: dict[str, list[Condition]] = {}
    problems: list[str] = []
    for row in rows:
        prop_name = _first(data, f"f-{row}-prop")
        if not prop_name:
            continue  # a row left without a property is not a filter yet
        raw = [v for v in _all(data, f"f-{row}-value")]
        try:
            made = condition(object_type, prop_name, _first(data, f"f-{row}-op"), raw, typed=True)
        except FilterError as error:
            problems.append(str(error))
            continue
        groups.setdefault(_first(data, f"f-{row}-group") or "0", []).append(made)
    return _limited(groups, problems)


def from_json(object_type: ObjectType, data: Any) -> Filters:
    """Filters as a saved view stores them."""
    groups: dict[str, list[Condition]] = {}
    problems: list[str] = []
    for number, group in enumerate(data or []):
        for item in group:
            try:
                made = condition(
                    object_type,
                    str(item.get("property", "")),
                    str(item.get("operator", "")),
                    [str(v) for v in item.get("values", [])],
                )
            except (FilterError, AttributeError) as error:
                problems.append(str(error))
                continue
            groups.setdefault(str(number), []).append(made)
    return _limited(groups, problems)


def is_row_data(data: Mapping[str, Any]) -> bool:
    return any(key.startswith("f-") for key in data)


def _limited(groups: dict[str, list[Condition]], problems: list[str]) -> Filters:
    kept = [tuple(g) for g in groups.values() if g]
    if len(kept) > MAX_GROUPS or any(len(g) > MAX_CONDITIONS for g in kept):
        problems.append(
            f"Use at most {MAX_GROUPS} groups of at most {MAX_CONDITIONS} filters each."
        )
        kept = [g[:MAX_CONDITIONS] for g in kept[:MAX_GROUPS]]
    return Filters(tuple(kept), tuple(problems))


def _first(data: Mapping[str, Any], key: str) -> str:
    values = _all(data, key)
    return values[0].strip() if values else ""


def _all(data: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(key)]
    value = data.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _filterable_property(object_type: ObjectType, name: str) -> Property:
    prop = next((p for p in object_type.properties if p.name == name), None)
    if prop is None:
        raise FilterError(
            f"{object_type.label} have no property '{name}', so that filter was left out. "
            "Pick a property from the list."
        )
    if not prop.queryable:
        raise FilterError(
            f"{prop.label} is worked out when a record is shown and cannot be filtered on."
        )
    return prop


def _split_values(op: Operator, raw: Iterable[str]) -> tuple[str, ...]:
    texts = [text.strip() for text in raw]
    if op in NO_VALUE:
        return ()
    if op in MANY_VALUES or op in TWO_VALUES:
        return tuple(part.strip() for text in texts for part in text.split(",") if part.strip())
    return tuple(t for t in texts if t)[:1]


def _parse_values(prop: Property, op: Operator, values: tuple[str, ...]) -> tuple[Any, ...]:
    if op in NO_VALUE:
        return ()
    for value in values:
        where = gettext("The value of the filter on %(label)s") % {"label": prop.label}
        if problem := text_problem(value, where):
            raise FilterError(problem)
    if len(values) > MAX_VALUES:
        raise FilterError(
            gettext(
                "There are %(count)s values; a filter takes at most %(most)d. Split it into "
                "several filters or views."
            )
            % {"count": f"{len(values):,}", "most": MAX_VALUES}
        )
    if not values:
        raise FilterError("Enter a value to compare with." if op not in MANY_VALUES else
                          "Pick at least one value.")  # fmt: skip
    if op in TWO_VALUES and len(values) != 2:
        raise FilterError("Enter both ends of the range, from and to.")
    if op in DAY_COUNTS:
        return (_day_count(values[0]),)
    match prop.type:
        case T.NUMBER:
            return tuple(_number(v) for v in values)
        case T.DATE | T.DATETIME:
            return tuple(_date(v) for v in values)
        case T.ENUMERATION:
            return tuple(_option(prop, v) for v in values)
        case _:
            return values


def _number(text: str) -> Decimal:
    """A number in the URL's canonical form; "1e3" is not one (DOC-4)."""
    try:
        number = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        number = None
    if (
        number is None
        or not number.is_finite()
        or abs(number) >= Decimal("1e18")
        or written_with_exponent(text, number)
    ):
        raise FilterError(f"'{text}' is not a number. Enter digits, like 1250.50.")
    return number


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise FilterError(f"'{text}' is not a date. Enter it as YYYY-MM-DD.") from None


def _day_count(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_DAYS:
        raise FilterError(f"'{text}' is not a number of days. Enter a whole number, like 30.")
    return int(text)


def _option(prop: Property, text: str) -> str:
    for option in prop.options:
        if text in (option.value, option.label):
            return option.value
    offered = ", ".join(o.label for o in prop.options)
    raise FilterError(f"'{text}' is not a {prop.label}. Pick from: {offered}.")


# --- filters as a database query -------------------------------------------------------------


def annotation_name(prop: Property) -> str:
    return f"listing_{prop.name}"


def lookup_path(prop: Property) -> str:
    """Where the database finds the value: the field, or the expression's annotation."""
    if prop.expression is not None and prop.field is None:
        return annotation_name(prop)
    assert prop.field is not None, f"{prop.name} is not queryable"
    return prop.field


def to_q(filters: Filters, *, now: dt.datetime | None = None) -> Q:
    """AND inside each group, OR between groups; no groups means every record."""
    now = timezone.localtime(now)
    result = Q()
    for group in filters.groups:
        both = Q()
        for c in group:
            if c.error:
                raise FilterError(c.error)
            both &= condition_q(c, now)
        result = both if not result else result | both
    return result


def condition_q(c: Condition, now: dt.datetime) -> Q:
    path = lookup_path(c.prop)
    kind = c.prop.type
    values = c.values
    match c.operator:
        case Op.KNOWN:
            return ~_unknown(path, kind)
        case Op.UNKNOWN:
            return _unknown(path, kind)
        case Op.TRUE | Op.FALSE:
            return Q(**{path: c.operator == Op.TRUE})
        case Op.IS_NOT | Op.NOT_CONTAINS | Op.NONE_OF | Op.NOT_HAS_WORD:
            # "Not" keeps the records that have no value at all, as a person means it.
            positive = {
                Op.IS_NOT: Op.IS,
                Op.NOT_CONTAINS: Op.CONTAINS,
                Op.NONE_OF: Op.ANY_OF,
                Op.NOT_HAS_WORD: Op.HAS_WORD,
            }
            return ~_matches(path, kind, positive[c.operator], values, now) | Q(
                **{f"{path}__isnull": True}
            )
        case _:
            return _matches(path, kind, c.operator, values, now)


def _unknown(path: str, kind: T) -> Q:
    empty = Q(**{f"{path}__isnull": True})
    return empty | Q(**{path: ""}) if kind == T.STRING else empty


def _matches(path: str, kind: T, op: Operator, values: tuple[Any, ...], now: dt.datetime) -> Q:
    match op:
        case Op.ANY_OF if kind == T.STRING:
            any_of = Q()
            for value in values:
                any_of |= Q(**{f"{path}__iexact": value})
            return any_of
        case Op.ANY_OF:
            return Q(**{f"{path}__in": values})
        case Op.HAS_WORD:
            return _word_q(path, str(values[0]))
    moments = bool(values) and all(isinstance(value, dt.datetime) for value in values)
    if kind in (T.DATE, T.DATETIME) and not moments:  # a day spans its 24 hours; a moment not
        return _date_q(path, kind == T.DATETIME, op, values, now)
    match op:
        case Op.IS:
            return Q(**{f"{path}__iexact" if kind == T.STRING else path: values[0]})
        case Op.CONTAINS:
            return Q(**{f"{path}__icontains": values[0]})
        case Op.GT | Op.AFTER:
            return Q(**{f"{path}__gt": values[0]})
        case Op.LT | Op.BEFORE:
            return Q(**{f"{path}__lt": values[0]})
        case Op.AT_LEAST:
            return Q(**{f"{path}__gte": values[0]})
        case Op.AT_MOST:
            return Q(**{f"{path}__lte": values[0]})
        case Op.BETWEEN:
            low, high = sorted(values)
            return Q(**{f"{path}__gte": low, f"{path}__lte": high})
    raise FilterError(f"'{op}' cannot be used here.")  # pragma: no cover - OPERATORS prevents it


def _word_q(path: str, word: str) -> Q:
    """A whole word of the value, without case; `*` stands for any characters."""
    pattern = ".*".join(re.escape(part) for part in word.split("*"))
    return Q(**{f"{path}__iregex": rf"(^|\W){pattern}($|\W)"})


def _date_q(
    path: str, is_datetime: bool, op: Operator, values: tuple[Any, ...], now: dt.datetime
) -> Q:
    today = now.date()
    if op == Op.LAST_DAYS:
        start, end = today - dt.timedelta(days=values[0]), today
        if is_datetime:
            return Q(**{f"{path}__gte": _day_start(start), f"{path}__lte": now})
    elif op == Op.NEXT_DAYS:
        start, end = today, today + dt.timedelta(days=values[0])
        if is_datetime:
            return Q(**{f"{path}__gte": now, f"{path}__lt": _day_start(end, 1)})
    elif op == Op.IS:
        start = end = values[0]
    elif op == Op.BETWEEN:
        start, end = sorted(values)
    elif op == Op.BEFORE:
        return Q(**{f"{path}__lt": _day_start(values[0]) if is_datetime else values[0]})
    elif op == Op.AFTER:
        if is_datetime:
            return Q(**{f"{path}__gte": _day_start(values[0], 1)})
        return Q(**{f"{path}__gt": values[0]})
    elif op == Op.AT_MOST:
        if is_datetime:
            return Q(**{f"{path}__lt": _day_start(values[0], 1)})
        return Q(**{f"{path}__lte": values[0]})
    elif op == Op.AT_LEAST:
        return Q(**{f"{path}__gte": _day_start(values[0]) if is_datetime else values[0]})
    else:  # pragma: no cover - OPERATORS prevents it
        raise FilterError(f"'{op}' cannot be used on dates.")
    if is_datetime:
        # A day is every moment from its midnight to the next, in the account's time zone.
        return Q(**{f"{path}__gte": _day_start(start), f"{path}__lt": _day_start(end, 1)})
    return Q(**{f"{path}__gte": start, f"{path}__lte": end})


def _day_start(day: dt.date, plus_days: int = 0) -> dt.datetime:
    moment = dt.datetime.combine(day + dt.timedelta(days=plus_days), dt.time.min)
    return timezone.make_aware(moment)
