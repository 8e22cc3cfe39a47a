"""Workflows as JSON documents (issue 6): export one to a file that can go into version control,
and import it here or on another install, as a new workflow or over an existing one. The format
is documented in docs/workflows.md, "Export and import (JSON)":

    {"format": "faktura-workflow", "version": 1, "name": "Won deals", "object_type": "deal",
     "enabled": true, "published_version": 3, "has_unpublished_changes": false,
     "definition": {"triggers": {...}, "re_enrollment": {...}, "steps": [...]}}

`definition` is the draft. `enabled`, `published_version` and `has_unpublished_changes` say
how the workflow stood where it was exported; importing never applies them: publishing and
turning on or off are the importer's explicit choice, so a file from a test install does not
start sending webhooks here. Secret configuration fields are left out unless asked for."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.text_input import check_json
from faktura.workflows import definition as wf
from faktura.workflows import rules, services
from faktura.workflows.models import Workflow
from faktura.workflows.registry import action_types

FORMAT = "faktura-workflow"
VERSION = 1
REQUIRED = ("format", "version", "name", "object_type", "definition")
# Written by the export (and the API's `id`) for people and scripts; importing ignores them.
INFORMATIONAL = ("enabled", "published_version", "has_unpublished_changes", "id")
WHERE_DOCUMENTED = 'docs/workflows.md, "Export and import (JSON)"'
# A workflow document is a few KB; a file past this is not one (and is not read into memory).
MAX_DOCUMENT_BYTES = 1024 * 1024
JSON_KINDS: dict[type, str] = {
    list: "a list",
    str: "text",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}


@dataclass(frozen=True)
class Document:
    """The parts of a read document that an import uses."""

    name: str
    object_type: str
    definition: dict[str, Any]


def readable_workflows(actor: Actor) -> QuerySet[Workflow]:
    """The workflows `actor` may export (every one, for those who may manage workflows)."""
    require(rules.can_manage_workflows(actor))
    return Workflow.objects.select_related("published").order_by("name", "id")


def export_workflow(workflow: Workflow, *, include_secrets: bool = False) -> dict[str, Any]:
    """The workflow as a document. Secret fields (a webhook's secret) are left out unless
    `include_secrets`, so the file can be kept in version control."""
    draft = copy.deepcopy(workflow.draft)
    if not include_secrets:
        for step, name in _secret_fields(draft):
            if isinstance(step.get("config"), dict):
                step["config"].pop(name, None)
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": workflow.name,
        "object_type": workflow.object_type,
        "enabled": workflow.enabled,
        "published_version": workflow.published.number if workflow.published else None,
        "has_unpublished_changes": workflow.has_unpublished_changes,
        # Keys in one order whatever the database (PostgreSQL's jsonb reorders them), so the
        # same workflow exports to the same text.
        "definition": _sorted_keys(draft),
    }


def secrets_left_out(workflow: Workflow) -> list[str]:
    """The secrets an export without secrets leaves out, as "step s5 (Send a webhook: Secret)"."""
    return [
        f"step {step['id']} ({_field_label(step, name)})"
        for step, name in _secret_fields(workflow.draft)
        if _has_value(step, name)
    ]


def read_document(document: Any) -> Document:
    """What an import takes from `document`; RuleViolation lists everything unreadable in it."""
    check_json(document, "The workflow document")  # nesting and control characters
    if not isinstance(document, Mapping):
        kind = JSON_KINDS.get(type(document), f"a {type(document).__name__}")
        raise RuleViolation(
            f'A workflow document is a JSON object with "format": "{FORMAT}"; this is {kind}. '
            f"Export a workflow to see the format ({WHERE_DOCUMENTED}).",
            code="invalid",
        )
    if document.get("format") != FORMAT:
        raise RuleViolation(
            f'This is not a Faktura workflow document: its "format" is '
            f'{_shown(document.get("format"))}, not "{FORMAT}". Import a file that Faktura '
            f"exported ({WHERE_DOCUMENTED}).",
            code="invalid",
        )
    problems = _version_problems(document.get("version"))
    unknown = [str(key) for key in document if key not in (*REQUIRED, *INFORMATIONAL)]
    if unknown:
        problems.append(
            f"The document has fields Faktura does not know: {', '.join(unknown)}. Check their "
            f"spelling; a document has {', '.join(REQUIRED)} (and, for information, "
            f"{', '.join(INFORMATIONAL[:3])})."
        )
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append('"name" must be the workflow\'s name, as text.')
    object_type = document.get("object_type")
    if object_type not in wf.WORKFLOW_TYPES:
        problems.append(
            f'"object_type" is {_shown(object_type)}; a workflow is for one of: '
            f"{', '.join(wf.WORKFLOW_TYPES)}."
        )
    definition: Any = document.get("definition")
    if isinstance(definition, Mapping):
        problems += _shape_problems(definition)
    else:
        problems.append(
            '"definition" must be a JSON object with the triggers and the steps (docs/'
            'workflows.md, "Definition format").'
        )
    if problems:
        raise RuleViolation(" ".join(problems), code="invalid")
    return Document(str(name).strip(), str(object_type), copy.deepcopy(dict(definition)))


def import_workflow(
    document: Any,
    *,
    actor: Actor,
    into: Workflow | None = None,
    publish: bool = False,
    enabled: bool | None = None,
) -> Workflow:
    """Create a workflow from `document`, or replace the name and draft of `into`; then, if
    asked, publish it and turn it on (`enabled=True`) or off (`False`). `None` leaves it as
    it is (a new workflow is off); the document's own `enabled` is never applied. All or
    nothing: when publishing or turning on is refused, nothing is written.

    A secret left out of the document keeps the value the step with the same id and type has
    in `into`'s draft. Publishing a draft that is already the published version is a no-op."""
    require(rules.can_manage_workflows(actor))
    read = read_document(document)
    with transaction.atomic():
        if into is None:
            workflow = services.create_workflow(
                actor=actor,
                name=read.name,
                object_type=read.object_type,
                definition=read.definition,
            )
        else:
            workflow = Workflow.objects.select_for_update().get(pk=into.pk)
            if workflow.object_type != read.object_type:
                raise RuleViolation(
                    f"The document is a {read.object_type} workflow and “{workflow.name}” is a "
                    f"{workflow.object_type} workflow; a workflow's object type cannot change. "
                    "Import the document as a new workflow instead.",
                    code="invalid",
                )
            services.update_workflow(
                workflow,
                actor=actor,
                name=read.name,
                definition=_with_kept_secrets(read.definition, workflow.draft),
            )
        if publish:
            _publish(workflow.pk, actor, read.definition)
        if enabled is not None:
            _turn(workflow.pk, actor, on=enabled)
    return Workflow.objects.select_related("published").get(pk=workflow.pk)


def import_workflows(
    documents: Sequence[Any],
    *,
    actor: Actor,
    publish: bool = False,
    enabled: bool | None = None,
) -> list[Workflow]:
    """Import each document as a new workflow (what an export of several holds), all or none."""
    require(rules.can_manage_workflows(actor))
    if not documents:
        raise RuleViolation("The list holds no workflow documents: nothing to import.")
    made = []
    with transaction.atomic():
        for number, document in enumerate(documents, start=1):
            try:
                made.append(
                    import_workflow(document, actor=actor, publish=publish, enabled=enabled)
                )
            except RuleViolation as refusal:
                name = document.get("name") if isinstance(document, Mapping) else None
                which = f"Document {number}" + (f" (“{name}”)" if isinstance(name, str) else "")
                raise RuleViolation(
                    f"{which}: {refusal.reason} Nothing was imported.", code=refusal.code
                ) from refusal
    return made


def _publish(pk: int, actor: Actor, given: Mapping[str, Any]) -> None:
    workflow = Workflow.objects.select_related("published").get(pk=pk)
    if not workflow.has_unpublished_changes:
        return  # this definition is the published version already
    try:
        services.publish_workflow(workflow, actor=actor)
    except RuleViolation as refusal:
        missing = [
            f"step {step['id']} ({_field_label(step, name)})"
            for step, name in _secret_fields(workflow.draft)
            if not _has_value(step, name) and name not in _config_of(given, str(step["id"]))
        ]
        if not missing:
            raise
        raise RuleViolation(
            f"{refusal.reason} The document leaves out the secret of {', '.join(missing)}, as "
            "exported files do: add it to the step's config in the document, import into a "
            "workflow whose step has it, or import without publishing and enter it in the "
            "editor.",
            code=refusal.code,
        ) from refusal


def _turn(pk: int, actor: Actor, *, on: bool) -> None:
    workflow = Workflow.objects.get(pk=pk)
    if on and not workflow.enabled:
        services.turn_on_workflow(workflow, actor=actor)
    elif not on and workflow.enabled:
        services.turn_off_workflow(workflow, actor=actor)


def _with_kept_secrets(definition: dict[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """`definition`, with each secret it leaves out taken from the same step in `current`."""
    kept = {
        (str(step["id"]), str(step["type"]), name): _config(step)[name]
        for step, name in _secret_fields(current)
        if name in _config(step)
    }
    for step, name in _secret_fields(definition):
        key = (str(step["id"]), str(step["type"]), name)
        if name not in _config(step) and key in kept:
            step["config"] = {**_config(step), name: kept[key]}
    return definition


def _secret_fields(definition: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """Each (step, field name) of a secret field in the definition. Steps of types this
    install does not know are skipped: their fields are unknown."""
    for step in _steps(definition.get("steps")):
        if step.get("id") and step.get("type") in action_types:
            for config_field in action_types.get(str(step["type"])).fields:
                if config_field.kind.secret:
                    yield step, config_field.name


def _steps(raw: Any) -> Iterator[dict[str, Any]]:
    """Every step in a step list, those inside branches included, as stored JSON."""
    for step in raw if isinstance(raw, list) else []:
        if not isinstance(step, dict):
            continue
        yield step
        for branch in step.get("branches") or []:
            if isinstance(branch, Mapping):
                yield from _steps(branch.get("steps"))
        yield from _steps(step.get("otherwise"))


def _config(step: Mapping[str, Any]) -> Mapping[str, Any]:
    config = step.get("config")
    return config if isinstance(config, Mapping) else {}


def _has_value(step: Mapping[str, Any], name: str) -> bool:
    return str(_config(step).get(name) or "").strip() != ""


def _config_of(definition: Mapping[str, Any], step_id: str) -> Mapping[str, Any]:
    for step in _steps(definition.get("steps")):
        if str(step.get("id")) == step_id:
            return _config(step)
    return {}


def _field_label(step: Mapping[str, Any], name: str) -> str:
    action = action_types.get(str(step["type"]))
    label = next((f.label for f in action.fields if f.name == name), name)
    return f"{action.label}: {label}"


def _shape_problems(definition: Mapping[str, Any]) -> list[str]:
    """Where the definition's JSON is not shaped as the format says (a number where a list
    belongs…), which the engine's own checks take for granted: a hand-edited file is refused
    in words. Whether the values make sense is publishing's check."""
    found: list[str] = []
    where = "definition.triggers"
    triggers = definition.get("triggers")
    if not isinstance(triggers, Mapping | None):
        found.append(f"{where} must be an object with filters and events.")
    elif triggers:
        found += _filters_problems(triggers.get("filters"), f"{where}.filters")
        events = _list_of(triggers.get("events"), Mapping)
        if events is None:
            found.append(f'{where}.events must be a list of objects like {{"event": "created"}}.')
        for n, event in enumerate(events or []):
            if not all(isinstance(event.get(key), str | None) for key in ("event", "property")):
                found.append(f"{where}.events[{n}]: event and property must be text.")
            if not all(isinstance(event.get(key), SCALAR) for key in ("to", "from")):
                found.append(f"{where}.events[{n}]: to and from must be one value each.")
    where = "definition.re_enrollment"
    again = definition.get("re_enrollment")
    if not isinstance(again, Mapping | None):
        found.append(f'{where} must be an object like {{"enabled": false, "properties": []}}.')
    elif again:
        if not isinstance(again.get("enabled"), bool | None):
            found.append(f"{where}.enabled must be true or false.")
        if _list_of(again.get("properties"), str) is None:
            found.append(f"{where}.properties must be a list of property names.")
    return found + _step_list_problems(definition.get("steps"), "definition.steps")


SCALAR = str | int | float | bool | None


def _list_of(value: Any, kind: Any) -> list[Any] | None:
    """The items of a list of `kind` ([] for null, as the engine reads it); None otherwise."""
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(item, kind) for item in value):
        return value
    return None


def _filters_problems(groups: Any, where: str) -> list[str]:
    conditions = [c for group in _list_of(groups, list) or [] for c in group]
    if _list_of(groups, list) is None or not all(
        isinstance(c, Mapping) and isinstance(c.get("values", []), list) for c in conditions
    ):
        return [
            f"{where} must be a list of groups, each a list of conditions like "
            '{"property": "dealstage", "operator": "is", "values": ["closedwon"]}.'
        ]
    return []


def _step_list_problems(raw: Any, where: str) -> list[str]:
    steps = _list_of(raw, Mapping)
    if steps is None:
        return [f'{where} must be a list of steps like {{"id": "s1", "type": "delay", …}}.']
    found = []
    for n, step in enumerate(steps):
        at = f"{where}[{n}]"
        if not isinstance(step.get("id"), str) or not isinstance(step.get("type"), str):
            found.append(f"{at} needs an id and a type, as text.")
        config = step.get("config")
        if not isinstance(config, Mapping | None):
            found.append(f"{at}.config must be an object.")
        elif step.get("type") == wf.DELAY and _list_of((config or {}).get("weekdays"), int) is None:
            found.append(f"{at}.config.weekdays must be a list of day numbers (0 is Monday).")
        branches = _list_of(step.get("branches"), Mapping)
        if branches is None:
            found.append(f"{at}.branches must be a list of branches, each an object.")
        for b, branch in enumerate(branches or []):
            if not isinstance(branch.get("label"), str | None):
                found.append(f"{at}.branches[{b}].label must be text.")
            found += _filters_problems(branch.get("filters"), f"{at}.branches[{b}].filters")
            found += _step_list_problems(branch.get("steps"), f"{at}.branches[{b}].steps")
        found += _step_list_problems(step.get("otherwise"), f"{at}.otherwise")
    return found


def _version_problems(version: Any) -> list[str]:
    if isinstance(version, bool) or not isinstance(version, int):
        return [f'"version" must be a whole number ({VERSION} for this Faktura).']
    if version > VERSION:
        return [
            f"The document is in version {version} of the format; this Faktura reads version "
            f"{VERSION}. Upgrade Faktura, or export the workflow from an install of this version."
        ]
    if version < 1:
        return [f"There is no version {version} of the format; this Faktura writes version 1."]
    return []


def _shown(value: Any) -> str:
    return "missing" if value is None else json.dumps(value, default=str)[:60]


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value
