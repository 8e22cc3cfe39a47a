"""A workflow's definition: its triggers, re-enrollment setting and steps, as stored JSON and
as the engine reads it. The JSON format is documented in docs/workflows.md.

    {"triggers": {"filters": [[{"property": "dealstage", "operator": "any_of",
                               "values": ["closedwon"]}]],
                  "events": [{"event": "property_changed", "property": "dealstage"}]},
     "re_enrollment": {"enabled": false, "properties": []},
     "steps": [{"id": "s1", "type": "set_property", "config": {...}},
               {"id": "s2", "type": "delay", "config": {"kind": "duration", "minutes": 60}},
               {"id": "s3", "type": "branch", "branches": [{"label": "Big", "filters": [[...]],
                                                            "steps": [...]}],
                "otherwise": [...]}]}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from faktura.core.properties import ObjectType, object_types
from faktura.listings import filters as flt
from faktura.workflows.config_fields import FieldContext
from faktura.workflows.events import trigger_events
from faktura.workflows.registry import action_types

# The object types a workflow can be for (WF-1), by singular name.
WORKFLOW_TYPES = ("contact", "company", "deal", "quote", "invoice", "payment")
DELAY = "delay"
BRANCH = "branch"
MAX_BRANCHES = 20  # HubSpot's if/then limit (reference WQ-7)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class DefinitionError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Branch:
    label: str
    filters: list[Any]  # filter groups, as listings' from_json reads them
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Step:
    id: str
    type: str  # an action type's name, "delay" or "branch"
    config: Mapping[str, Any]
    branches: tuple[Branch, ...] = ()
    otherwise: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Definition:
    filters: list[Any]
    events: tuple[Mapping[str, Any], ...]
    re_enroll: bool
    re_enroll_properties: tuple[str, ...]
    steps: tuple[Step, ...]

    def all_steps(self) -> Iterator[Step]:
        yield from _walk(self.steps)

    def step(self, step_id: str) -> Step:
        for step in self.all_steps():
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def first_step(self) -> str | None:
        return self.steps[0].id if self.steps else None

    def next_after(self, step_id: str, chosen: int | None = None) -> str | None:
        """The step that follows `step_id`: into the chosen branch (`chosen` is its index, -1
        for "otherwise") of a branch step, else the next one in its list, else the one after
        the branch that holds the list; None at the end."""
        if chosen is not None:
            step = self.step(step_id)
            inner = step.otherwise if chosen < 0 else step.branches[chosen].steps
            if inner:
                return inner[0].id
        return _following(self.steps, step_id, None)


def _walk(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        for branch in step.branches:
            yield from _walk(branch.steps)
        yield from _walk(step.otherwise)


def _following(steps: tuple[Step, ...], step_id: str, after: str | None) -> str | None:
    """In `steps` (followed by `after`), the id after `step_id`; None if not found here."""
    for index, step in enumerate(steps):
        then = steps[index + 1].id if index + 1 < len(steps) else after
        if step.id == step_id:
            return then or ""
        for inner in (*[b.steps for b in step.branches], step.otherwise):
            found = _following(inner, step_id, then)
            if found is not None:
                return found
    return None


def parse(data: Mapping[str, Any]) -> Definition:
    """The definition from its JSON; DefinitionError lists what cannot even be read."""
    problems: list[str] = []
    triggers = data.get("triggers") or {}
    re_enrollment = data.get("re_enrollment") or {}
    if not isinstance(triggers, Mapping) or not isinstance(re_enrollment, Mapping):
        raise DefinitionError(["triggers and re_enrollment must be objects."])
    steps = _steps(data.get("steps") or [], problems, "steps")
    if problems:
        raise DefinitionError(problems)
    return Definition(
        filters=list(triggers.get("filters") or []),
        events=tuple(dict(e) for e in triggers.get("events") or [] if isinstance(e, Mapping)),
        re_enroll=bool(re_enrollment.get("enabled")),
        re_enroll_properties=tuple(str(p) for p in re_enrollment.get("properties") or []),
        steps=steps,
    )


def _steps(raw: Any, problems: list[str], where: str) -> tuple[Step, ...]:
    if not isinstance(raw, list):
        problems.append(f"{where} must be a list of steps.")
        return ()
    steps = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping) or not item.get("id") or not item.get("type"):
            problems.append(f"Step {number} of {where} needs an id and a type.")
            continue
        branches = tuple(
            Branch(
                label=str(b.get("label") or f"Branch {n}"),
                filters=list(b.get("filters") or []),
                steps=_steps(b.get("steps") or [], problems, f"branch {n} of {item['id']}"),
            )
            for n, b in enumerate(item.get("branches") or [], start=1)
            if isinstance(b, Mapping)
        )
        steps.append(
            Step(
                id=str(item["id"]),
                type=str(item["type"]),
                config=dict(item.get("config") or {}),
                branches=branches,
                otherwise=_steps(
                    item.get("otherwise") or [], problems, f"otherwise of {item['id']}"
                ),
            )
        )
    return tuple(steps)


def object_type_named(singular: str) -> ObjectType:
    for object_type in object_types:
        if object_type.singular == singular:
            return object_type
    raise LookupError(f"There is no object type '{singular}'.")


def problems(
    object_type: str,
    data: Mapping[str, Any],
    contexts: Mapping[str, FieldContext] | None = None,
) -> list[str]:
    """Everything that stops a definition from being published, in words (WF-3). `contexts`:
    action steps' field contexts by step id, whose computed choices were asked already."""
    try:
        definition = parse(data)
    except DefinitionError as error:
        return error.problems
    kind = object_type_named(object_type)
    found: list[str] = []
    if not definition.filters and not definition.events:
        found.append("Add an enrollment trigger: filter criteria, an event, or both.")
    found += flt.from_json(kind, definition.filters).errors
    for event in definition.events:
        found += _event_problems(kind, event)
    for name in definition.re_enroll_properties:
        if name not in kind._by_name:
            found.append(f"Re-enrollment property '{name}' is not a {kind.singular} property.")
    seen: set[str] = set()
    for step in definition.all_steps():
        if step.id in seen:
            found.append(f"Two steps have the id '{step.id}'.")
        seen.add(step.id)
        found += _step_problems(kind, step, (contexts or {}).get(step.id))
    if not definition.steps:
        found.append("Add at least one action.")
    return found


def _event_problems(kind: ObjectType, event: Mapping[str, Any]) -> list[str]:
    name = str(event.get("event", ""))
    if name not in trigger_events:
        offered = ", ".join(trigger_events.names())
        return [f"'{name}' is not a trigger event. Use one of: {offered}."]
    trigger = trigger_events.get(name)
    if not trigger.applies_to(kind.singular):
        return [f"“{trigger.label}” cannot trigger a {kind.singular} workflow."]
    if trigger.needs_property and event.get("property") not in kind._by_name:
        return [f"“{trigger.label}” needs a {kind.singular} property; '{event.get('property')}' "
                "is not one."]  # fmt: skip
    return []


def step_problems(object_type: str, step: Mapping[str, Any]) -> list[str]:
    """What is wrong with one step's own configuration (the editor's side panel checks this on
    save; the steps inside a branch are checked when they are saved themselves)."""
    branches = [{**branch, "steps": []} for branch in step.get("branches") or []]
    try:
        parsed = parse({"steps": [{**step, "branches": branches, "otherwise": []}]}).steps[0]
    except DefinitionError as error:
        return error.problems
    return _step_problems(object_type_named(object_type), parsed)


def _step_problems(kind: ObjectType, step: Step, context: FieldContext | None = None) -> list[str]:
    if step.type == BRANCH:
        found = []
        if not 1 <= len(step.branches) <= MAX_BRANCHES:
            found.append(f"A branch has 1 to {MAX_BRANCHES} branches; '{step.id}' has "
                         f"{len(step.branches)}.")  # fmt: skip
        for branch in step.branches:
            found += [f"Branch “{branch.label}”: {e}" for e in
                      flt.from_json(kind, branch.filters).errors]  # fmt: skip
            if not branch.filters:
                found.append(f"Branch “{branch.label}” needs filter criteria.")
        return found
    if step.type == DELAY:
        return delay_problems(kind, step.config)
    if step.type not in action_types:
        return [f"Step '{step.id}': there is no action type '{step.type}'."]
    return action_types.get(step.type).problems(kind.singular, step.config, context)


def delay_problems(kind: ObjectType, config: Mapping[str, Any]) -> list[str]:
    match config.get("kind"):
        case "duration":
            minutes = config.get("minutes")
            if not isinstance(minutes, int) or minutes < 1:
                return ["A delay needs a whole number of minutes, at least 1."]
        case "until_date_property":
            prop = kind._by_name.get(str(config.get("property")))
            if prop is None or prop.type.value not in ("date", "datetime"):
                return [f"A delay until a date needs a date property of the {kind.singular}."]
        case "until_weekday":
            days = config.get("weekdays") or []
            if not days or any(d not in range(7) for d in days):
                return ["A delay until a weekday needs days from 0 (Monday) to 6 (Sunday)."]
            try:
                dt.time.fromisoformat(str(config.get("time", "09:00")))
            except ValueError:
                return ["A delay until a weekday needs a time such as 09:00."]
        case _:
            return ["A delay is 'duration', 'until_date_property' or 'until_weekday'."]
    return []
