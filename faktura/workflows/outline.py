"""A definition as the editor and the review show it: the triggers in words and the steps as a
tree of cards, each with its summary and what still stops it from being published."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import ngettext

from faktura.core.properties import ObjectType
from faktura.history.readable import ValueText
from faktura.listings import filters as flt
from faktura.workflows import definition as wf
from faktura.workflows.config_fields import FieldContext
from faktura.workflows.events import trigger_events
from faktura.workflows.registry import action_types
from faktura.workflows.services import describe_step

UNITS = (("minutes", "minutes", 1), ("hours", "hours", 60), ("days", "days", 1440))


@dataclass(frozen=True)
class BranchCard:
    label: str
    criteria: list[list[str]]  # groups of conditions in words: OR between, AND inside
    where: str  # names its step list for the "+" buttons (see drafts.py)
    steps: list[StepCard]


@dataclass(frozen=True)
class StepCard:
    id: str
    type: str
    title: str
    summary: list[str]
    problems: list[str]
    icon: str
    branches: list[BranchCard] = field(default_factory=list)
    otherwise: BranchCard | None = None


def criteria_in_words(kind: ObjectType, groups: Any) -> list[list[str]]:
    return [[c.describe() for c in group] for group in flt.from_json(kind, groups).groups]


def event_in_words(kind: ObjectType, event: Mapping[str, Any]) -> str:
    name = str(event.get("event", ""))
    if name not in trigger_events:
        return name
    text = trigger_events.get(name).label
    if name == "property_changed":
        prop = kind._by_name.get(str(event.get("property")))
        text = f"{prop.label if prop else event.get('property')} changed"
        values = ValueText(kind, currency=None)  # names an owner or a deal rather than its id
        for part in ("from", "to"):
            if event.get(part) not in (None, ""):
                text += f" {part} {values.show(prop, str(event[part])) if prop else event[part]}"
    return text


def delay_in_words(kind: ObjectType, config: Mapping[str, Any]) -> str:
    """A delay as the editor's card and the action log say it: "Wait 1 hour 30 minutes"."""
    at = str(config.get("time") or "09:00")
    match config.get("kind"):
        case "duration":
            minutes = config.get("minutes")
            if isinstance(minutes, int) and minutes > 0:
                return f"Wait {_duration(minutes)}"
        case "until_date_property":
            prop = kind._by_name.get(str(config.get("property")))
            if prop:
                return f"Wait until the record's {prop.label}, at {at}"
        case "until_weekday":
            days = [wf.WEEKDAYS[d] for d in config.get("weekdays") or [] if d in range(7)]
            if days:
                return f"Wait until the next {' or '.join(days)}, at {at}"
    return "Wait (not set up yet)"


def _duration(total: int) -> str:
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = (
        (days, ngettext("%(count)s day", "%(count)s days", days)),
        (hours, ngettext("%(count)s hour", "%(count)s hours", hours)),
        (minutes, ngettext("%(count)s minute", "%(count)s minutes", minutes)),
    )
    return " ".join(text % {"count": n} for n, text in parts if n)


def _summary(kind: ObjectType, step: wf.Step, context: FieldContext | None) -> list[str]:
    """The step's configured values, each as its field's kind shows it."""
    if step.type == wf.DELAY:
        return [delay_in_words(kind, step.config)]
    if context is None:
        return []
    shown = []
    for config_field in action_types.get(step.type).fields:
        value = step.config.get(config_field.name)
        if config_field.kind.is_empty(value):
            continue
        text = config_field.display(value, context)
        shown.append(f"{config_field.label}: {text[:80]}{'…' if len(text) > 80 else ''}")
    return shown


def _icon(step_type: str) -> str:
    return {wf.DELAY: "hourglass-split", wf.BRANCH: "signpost-split"}.get(step_type, "lightning")


def cards(
    kind: ObjectType,
    steps: tuple[wf.Step, ...],
    contexts: dict[str, FieldContext] | None = None,
) -> list[StepCard]:
    """The steps as cards. `contexts` collects each action step's field context by step id, so
    the page's publish problems (`wf.problems`) reuse the computed choices the cards asked for."""
    return [_card(kind, step, {} if contexts is None else contexts) for step in steps]


def _card(kind: ObjectType, step: wf.Step, contexts: dict[str, FieldContext]) -> StepCard:
    branches_raw = [{"label": b.label, "filters": b.filters} for b in step.branches]
    raw = {"id": step.id, "type": step.type, "config": dict(step.config), "branches": branches_raw}
    branches = [
        BranchCard(
            label=branch.label,
            criteria=criteria_in_words(kind, branch.filters),
            where=f"{step.id}:{n}",
            steps=cards(kind, branch.steps, contexts),
        )
        for n, branch in enumerate(step.branches)
    ]
    otherwise = (
        BranchCard("None met", [], f"{step.id}:else", cards(kind, step.otherwise, contexts))
        if step.type == wf.BRANCH
        else None
    )
    context = None
    if step.type in action_types:
        # One context for the problems and the summary, so computed choices are asked for once
        # per card; not at all for an action unavailable here (they may need what is missing).
        action = action_types.get(step.type)
        context = FieldContext(kind.singular, step.config, live=not action.unavailable())
        contexts[step.id] = context
        problems = action.problems(kind.singular, step.config, context)
    else:
        problems = wf.step_problems(kind.singular, raw)
    return StepCard(
        id=step.id,
        type=step.type,
        title=describe_step(step),
        summary=_summary(kind, step, context),
        problems=problems,
        icon=_icon(step.type),
        branches=branches,
        otherwise=otherwise,
    )
