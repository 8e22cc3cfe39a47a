"""The filter editor's rows: which property, operator and value inputs each row shows."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from faktura.core.properties import ObjectType, Option, Property
from faktura.core.properties import PropertyType as T
from faktura.listings import filters as flt


@dataclass(frozen=True)
class FilterRow:
    row: str  # names the row's inputs: f-<row>-prop, f-<row>-op, f-<row>-value
    group: str
    prop: Property
    operator: flt.Operator
    raw: tuple[str, ...]
    properties: tuple[Property, ...]
    error: str = ""

    @property
    def operators(self) -> tuple[tuple[flt.Operator, str], ...]:
        return flt.operators_for(self.prop)

    @property
    def widget(self) -> str:
        """Which value inputs the row shows for its property type and operator."""
        op, kind = self.operator, self.prop.type
        if op in flt.NO_VALUE:
            return "none"
        if op in flt.DAY_COUNTS:
            return "days"
        if kind == T.ENUMERATION:
            return "options"
        if kind in (T.DATE, T.DATETIME):
            return "date_range" if op in flt.TWO_VALUES else "date"
        if kind == T.NUMBER:
            return "number_range" if op in flt.TWO_VALUES else "number"
        return "texts" if op in flt.MANY_VALUES else "text"

    @property
    def first(self) -> str:
        if self.widget == "texts":
            return ", ".join(self.raw)
        return self.raw[0] if self.raw else ""

    @property
    def second(self) -> str:
        return self.raw[1] if len(self.raw) > 1 else ""

    @property
    def options(self) -> list[tuple[Option, bool]]:
        chosen = set(self.raw)
        return [(o, o.value in chosen or o.label in chosen) for o in self.prop.options]


def new_id() -> str:
    return secrets.token_hex(4)


def _safe_id(value: Any) -> str:
    # Row and group ids end up in input names and hx-vals: letters and digits only.
    return "".join(c for c in str(value or "") if c.isascii() and c.isalnum())[:20]


def rows_for(object_type: ObjectType, filters: flt.Filters) -> list[list[FilterRow]]:
    """The editor's groups of rows for filters already applied."""
    properties = tuple(flt.filterable(object_type))
    return [
        [
            FilterRow(
                row=f"{g}x{i}",
                group=str(g),
                prop=c.prop,
                operator=c.operator,
                raw=c.shown,  # numbers as the person types them
                properties=properties,
                error=c.error,
            )
            for i, c in enumerate(group)
        ]
        for g, group in enumerate(filters.groups)
    ]


def row_from_request(object_type: ObjectType, data: Mapping[str, Any]) -> FilterRow:
    """A row re-drawn after its property or operator changed (or a new, empty row)."""
    properties = tuple(flt.filterable(object_type))
    row = _safe_id(data.get("row")) or new_id()
    group = _safe_id(data.get("group")) or new_id()
    name = data.get(f"f-{row}-prop", "")
    prop = next((p for p in properties if p.name == name), properties[0])
    operators = [op for op, _ in flt.operators_for(prop)]
    asked = data.get(f"f-{row}-op", "")
    operator = next((op for op in operators if op == asked), operators[0])
    getlist = getattr(data, "getlist", None)
    raw = getlist(f"f-{row}-value") if getlist else []
    return FilterRow(
        row=row,
        group=group,
        prop=prop,
        operator=operator,
        raw=tuple(str(v) for v in raw if str(v).strip()),
        properties=properties,
    )
