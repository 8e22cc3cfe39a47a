"""The editor's changes to a draft (WF-1): set the triggers, add, change and remove a step.
Each checks what it changes, so the side panel can say what to correct at once; the whole
definition is checked again when it is published."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.listings import filters as flt
from faktura.workflows import definition as wf
from faktura.workflows import drafts, rules, services
from faktura.workflows.models import Workflow


def _edit(workflow: Workflow, actor: Actor, change: Callable[[dict[str, Any]], Any]) -> Workflow:
    """Apply `change` to the draft under the workflow's row lock, so two editors' changes
    never overwrite each other."""
    require(rules.can_manage_workflows(actor))
    with transaction.atomic():
        locked = Workflow.objects.select_for_update().get(pk=workflow.pk)
        return services.update_workflow(locked, actor=actor, definition=change(locked.draft))


def _refuse_if(found: list[str]) -> None:
    if found:
        raise RuleViolation(" ".join(found), code="invalid")


def set_triggers(
    workflow: Workflow,
    *,
    actor: Actor,
    filters: flt.Filters,
    events: list[dict[str, Any]],
    re_enroll: bool = False,
    re_enroll_properties: list[str] | None = None,
) -> Workflow:
    """What enrolls records (WF-2): filter criteria and/or events, and re-enrollment."""
    kind = wf.object_type_named(workflow.object_type)
    trial = {"triggers": {"filters": filters.to_json(), "events": events},
             "re_enrollment": {"enabled": re_enroll, "properties": re_enroll_properties or []},
             "steps": [{"id": "check", "type": wf.DELAY,
                        "config": {"kind": "duration", "minutes": 1}}]}  # fmt: skip
    # Publishing's own checks, on a definition that differs only in its (valid) steps.
    _refuse_if(filters.errors or wf.problems(kind.singular, trial))
    return _edit(
        workflow,
        actor,
        lambda draft: drafts.with_triggers(
            draft,
            filters=filters.to_json(),
            events=events,
            re_enroll=re_enroll,
            re_enroll_properties=list(re_enroll_properties or []),
        ),
    )


def add_step(
    workflow: Workflow, *, actor: Actor, where: str, index: int, step: Mapping[str, Any]
) -> tuple[Workflow, str]:
    """Insert a new step at `index` of the list `where`; returns the workflow and its id."""
    _refuse_if(wf.step_problems(workflow.object_type, {**step, "id": "new"}))
    made: dict[str, str] = {}

    def insert(draft: dict[str, Any]) -> dict[str, Any]:
        made["id"] = drafts.new_step_id(draft)
        return drafts.insert_step(draft, where, index, {**step, "id": made["id"]})

    return _edit(workflow, actor, insert), made["id"]


def change_step(
    workflow: Workflow, *, actor: Actor, step_id: str, step: Mapping[str, Any]
) -> Workflow:
    """A step's new configuration (a branch's branches keep the steps they hold)."""
    _refuse_if(wf.step_problems(workflow.object_type, {**step, "id": step_id}))
    return _edit(
        workflow, actor, lambda draft: drafts.replace_step(draft, step_id, {**step, "id": step_id})
    )


def remove_step(workflow: Workflow, *, actor: Actor, step_id: str) -> Workflow:
    return _edit(workflow, actor, lambda draft: drafts.remove_step(draft, step_id))
