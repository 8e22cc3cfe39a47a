"""The side panel's forms: a step's configuration as inputs, and the step JSON read back from
the submitted form. Actions render their declared ConfigFields; delays and branches have forms
of their own (a branch's criteria use the index pages' filter rows)."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from faktura.core.properties import ObjectType
from faktura.core.properties import PropertyType as T
from faktura.listings import editor
from faktura.listings import filters as flt
from faktura.workflows import definition as wf
from faktura.workflows.config_fields import Choice, ConfigField, FieldContext
from faktura.workflows.outline import UNITS
from faktura.workflows.registry import ActionType, action_types


@dataclass(frozen=True)
class FieldInput:
    """One configuration field as the side panel draws it; its kind renders the input."""

    field: ConfigField
    name: str  # the input's name: cfg-<field name>
    value: Any  # as the kind's input shows it
    options: tuple[Choice, ...] = ()
    error: str = ""  # why its choices could not be read
    is_set: bool = False  # a value is saved (a secret's input says it is kept)
    refreshes: str = ""  # the fields drawn again when this one changes, as a CSS selector

    def html(self) -> SafeString:
        return self.field.kind.render(self)


@dataclass(frozen=True)
class BranchForm:
    number: int  # its place in the form; names its inputs br-<number>-…
    label: str
    origin: str  # the branch's place before this edit ("" for a new one): its steps stay
    groups: list[tuple[str, list[editor.FilterRow]]]


@dataclass(frozen=True)
class StepChoice:
    name: str
    label: str
    description: str
    unavailable: str = ""  # why it cannot be added here now (shown greyed out with it)


def step_types_for(kind: ObjectType) -> list[tuple[str, list[StepChoice]]]:
    """The side panel's choices, by category."""
    found: dict[str, list[StepChoice]] = {
        "Flow": [
            StepChoice(wf.DELAY, "Delay",
                       "Wait for a time, until a date on the record, or a weekday."),
            StepChoice(wf.BRANCH, "If/then branch",
                       "Go down the first branch whose criteria match."),
        ]
    }  # fmt: skip
    for name in action_types.names():
        action = action_types.get(name)
        if action.applies_to(kind.singular):
            found.setdefault(action.category, []).append(
                StepChoice(name, action.label, action.description, action.availability().reason)
            )
    return list(found.items())


def type_label(step_type: str) -> str:
    if step_type == wf.DELAY:
        return "Delay"
    if step_type == wf.BRANCH:
        return "If/then branch"
    return action_types.get(step_type).label if step_type in action_types else step_type


# --- actions ---------------------------------------------------------------------------------


def input_name(config_field: ConfigField) -> str:
    return f"cfg-{config_field.name}"


def action_inputs(
    kind: ObjectType,
    action: ActionType,
    config: Mapping[str, Any],
    *,
    live: bool = True,
    redrawn: bool = False,
) -> list[FieldInput]:
    """The action's fields with the step's values; computed choices are asked for when `live`.
    `redrawn`: a field changed that others depend on; a dependent whose new choices refuse its
    value starts empty again (another company's payment terms), rather than listing it."""
    context = FieldContext(kind.singular, config, live=live)
    inputs = []
    for config_field in action.fields:
        field_kind = config_field.kind
        value = config.get(config_field.name)
        options = context.options(config_field)
        if redrawn and config_field.depends_on and not field_kind.is_empty(value):
            value = None if field_kind.problems(config_field, value, context) else value
        refreshed = dependents(action, config_field.name)
        inputs.append(
            FieldInput(
                config_field,
                input_name(config_field),
                "" if field_kind.secret else field_kind.form_value(value),
                options.choices,
                options.error,
                is_set=not field_kind.is_empty(value),
                refreshes=",".join(f"#field-{input_name(f)}" for f in refreshed),
            )
        )
    return inputs


def dependents(action: ActionType, name: str) -> list[ConfigField]:
    """The fields whose choices depend on field `name`, directly or through another field."""
    found: list[ConfigField] = []
    changed = [name]
    while changed:
        current = changed.pop()
        for config_field in action.fields:
            if current in config_field.depends_on and config_field not in found:
                found.append(config_field)
                changed.append(config_field.name)
    return found


def _action_config(action: ActionType, data: Any, before: Mapping[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for config_field in action.fields:
        kind = config_field.kind
        value = kind.read(data, input_name(config_field))
        if kind.secret and kind.is_empty(value) and config_field.name in before:
            value = before[config_field.name]  # kept unless replaced
        if not kind.is_empty(value) or config_field.required:
            config[config_field.name] = value
    return config


# --- delays ----------------------------------------------------------------------------------


def delay_values(config: Mapping[str, Any]) -> dict[str, Any]:
    """The delay form's values: the duration in the largest whole unit."""
    minutes = config.get("minutes")
    amount, unit = "", "hours"
    if isinstance(minutes, int) and minutes > 0:
        for name, _, size in reversed(UNITS):
            if minutes % size == 0:
                amount, unit = str(minutes // size), name
                break
    return {
        "kind": config.get("kind") or "duration",
        "amount": amount,
        "unit": unit,
        "units": [(name, label) for name, label, _ in UNITS],
        "property": config.get("property") or "",
        "weekdays": list(config.get("weekdays") or []),
        "time": config.get("time") or "09:00",
    }


def date_properties(kind: ObjectType) -> list[tuple[str, str]]:
    return [(p.name, p.label) for p in kind.properties if p.type in (T.DATE, T.DATETIME)]


def _delay_config(data: Any) -> dict[str, Any]:
    kind = str(data.get("delay-kind", "duration"))
    time = str(data.get("delay-time") or "09:00")
    if kind == "until_date_property":
        return {"kind": kind, "property": str(data.get("delay-property", "")), "time": time}
    if kind == "until_weekday":
        days = [int(d) for d in data.getlist("delay-weekday") if str(d).isdigit()]
        return {"kind": kind, "weekdays": sorted(set(days)), "time": time}
    size = {name: size for name, _, size in UNITS}.get(str(data.get("delay-unit")), 1)
    amount = str(data.get("delay-amount", "")).strip()
    minutes: Any = int(amount) * size if amount.isdigit() else amount
    return {"kind": "duration", "minutes": minutes}


# --- branches --------------------------------------------------------------------------------


def _group_id(number: int) -> str:
    # Letters and digits only (filter row ids end up in input names): "br<n>x<random>".
    return f"br{number}x{secrets.token_hex(3)}"


def branch_group(kind: ObjectType, number: int) -> tuple[str, list[editor.FilterRow]]:
    """A new OR group of a branch, with one empty row."""
    group = _group_id(number)
    return group, [editor.row_from_request(kind, {"group": group})]


def _rows(kind: ObjectType, number: int, groups: Any) -> list[tuple[str, list[editor.FilterRow]]]:
    drawn = []
    for rows in editor.rows_for(kind, flt.from_json(kind, groups)):
        group = _group_id(number)
        renamed = [
            dataclasses.replace(r, row=f"{group}r{i}", group=group) for i, r in enumerate(rows)
        ]
        drawn.append((group, renamed))
    return drawn or [branch_group(kind, number)]


def branch_forms(kind: ObjectType, branches: list[Mapping[str, Any]]) -> list[BranchForm]:
    return [
        BranchForm(
            number=n,
            label=str(b.get("label") or ""),
            origin=str(b.get("origin", n)),
            groups=_rows(kind, n, b.get("filters") or []),
        )
        for n, b in enumerate(branches)
    ]


def _branch_filters(kind: ObjectType, data: Any, number: int) -> flt.Filters:
    """The filter rows of branch `number` only: those whose group id starts br<number>x."""
    prefix = f"br{number}x"
    rows = {
        key[2 : -len("-group")]
        for key in data
        if key.startswith("f-") and key.endswith("-group") and data.get(key, "").startswith(prefix)
    }
    mine = {key: data.getlist(key) for key in data if key[2:].rsplit("-", 1)[0] in rows}
    return flt.from_rows(kind, mine)


def branches_from_form(kind: ObjectType, data: Any) -> list[dict[str, Any]]:
    """The branches as the form sent them, in order, each with its origin (for its steps)."""
    numbers = sorted({int(k.split("-")[1]) for k in data if k.startswith("br-")
                      and k.endswith("-label") and k.split("-")[1].isdigit()})  # fmt: skip
    return [
        {
            "label": str(data.get(f"br-{n}-label", "")).strip() or f"Branch {i + 1}",
            "filters": _branch_filters(kind, data, n).to_json(),
            "origin": str(data.get(f"br-{n}-origin", "")),
        }
        for i, n in enumerate(numbers)
    ]


def _branch_step(kind: ObjectType, data: Any, before: Mapping[str, Any]) -> dict[str, Any]:
    old = list(before.get("branches") or [])
    branches = []
    for branch in branches_from_form(kind, data):
        origin = branch.pop("origin")
        kept = old[int(origin)] if origin.isdigit() and int(origin) < len(old) else {}
        branches.append({**branch, "steps": list(kept.get("steps") or [])})
    return {"type": wf.BRANCH, "branches": branches,
            "otherwise": list(before.get("otherwise") or [])}  # fmt: skip


# --- reading a submitted form ----------------------------------------------------------------


def step_from_form(
    kind: ObjectType, step_type: str, data: Any, before: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The step JSON (without id) the form describes; `before` is the step being changed."""
    before = before or {}
    if step_type == wf.DELAY:
        return {"type": wf.DELAY, "config": _delay_config(data)}
    if step_type == wf.BRANCH:
        return _branch_step(kind, data, before)
    action = action_types.get(step_type)
    return {"type": step_type, "config": _action_config(action, data, before.get("config") or {})}
