"""Every change to a workflow (WF-1, WF-3): create, edit the draft, review and publish, turn
on (optionally enrolling the records that already match) and off, enroll by hand, retry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import ngettext

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.text_input import check_text
from faktura.workflows import definition as wf
from faktura.workflows import engine, feed, rules
from faktura.workflows.models import (
    Enrollment,
    EnrollmentStatus,
    StepRun,
    Workflow,
    WorkflowVersion,
)
from faktura.workflows.registry import action_types

EMPTY_DEFINITION: dict[str, Any] = {
    "triggers": {"filters": [], "events": []},
    "re_enrollment": {"enabled": False, "properties": []},
    "steps": [],
}


def create_workflow(
    *, actor: Actor, name: str, object_type: str, definition: Mapping[str, Any] | None = None
) -> Workflow:
    require(rules.can_manage_workflows(actor))
    name = name.strip()
    if not name:
        raise RuleViolation("Give the workflow a name.", code="required")
    check_text(name, "The workflow's name")
    if object_type not in wf.WORKFLOW_TYPES:
        raise RuleViolation(
            f"A workflow is for one of: {', '.join(wf.WORKFLOW_TYPES)}; not '{object_type}'.",
            code="invalid_option",
        )
    draft = dict(definition or EMPTY_DEFINITION)
    _readable(draft)
    return Workflow.objects.create(
        name=name[:200], object_type=object_type, draft=draft, created_by=_user(actor)
    )


def update_workflow(
    workflow: Workflow,
    *,
    actor: Actor,
    name: str | None = None,
    definition: Mapping[str, Any] | None = None,
) -> Workflow:
    """Change the draft (and the name); what runs changes only when it is published."""
    require(rules.can_manage_workflows(actor))
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        if name is not None:
            if not name.strip():
                raise RuleViolation("Give the workflow a name.", code="required")
            check_text(name, "The workflow's name")
            workflow.name = name.strip()[:200]
        if definition is not None:
            _readable(definition)
            workflow.draft = dict(definition)
        workflow.save(update_fields=["name", "draft", "updated_at"])
    return workflow


def publish_workflow(workflow: Workflow, *, actor: Actor) -> WorkflowVersion:
    """The draft becomes the version new enrollments run; runs in flight keep theirs."""
    require(rules.can_manage_workflows(actor))
    # Checked before the row is locked: an action's computed choices may ask another system
    # (QuickBooks), and no lock is held while waiting for it. The lock then makes sure that
    # what is published is what was checked.
    checked = Workflow.objects.get(pk=workflow.pk).draft
    found = wf.problems(workflow.object_type, checked)
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        if workflow.draft != checked:
            raise RuleViolation(
                "The draft changed while it was being checked for publishing. Review the "
                "changes and publish again.",
                code="invalid_state",
            )
        if found:
            raise RuleViolation(
                "The workflow cannot be published yet: " + " ".join(found), code="invalid"
            )
        if not workflow.has_unpublished_changes:
            raise RuleViolation("Nothing changed since the last publish.", code="invalid_state")
        last = workflow.versions.aggregate(n=Max("number"))["n"] or 0
        version = WorkflowVersion.objects.create(
            workflow=workflow,
            number=last + 1,
            definition=workflow.draft,
            published_at=timezone.now(),
            published_by=_user(actor),
        )
        workflow.published = version
        workflow.save(update_fields=["published", "updated_at"])
    return version


def turn_on_workflow(workflow: Workflow, *, actor: Actor, enroll_existing: bool = False) -> int:
    """Turn it on; with `enroll_existing`, also enroll every record that meets the trigger
    criteria now. Returns how many were enrolled that way."""
    require(rules.can_manage_workflows(actor))
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        require(rules.can_turn_on(workflow))
        feed.start_cursor()
        workflow.enabled = True
        workflow.enabled_at = timezone.now()
        workflow.save(update_fields=["enabled", "enabled_at", "updated_at"])
        return feed.enroll_existing(workflow) if enroll_existing else 0


def turn_off_workflow(workflow: Workflow, *, actor: Actor) -> Workflow:
    """Nothing new enrolls; enrolled records stay, and their actions are skipped while off."""
    require(rules.can_manage_workflows(actor))
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        require(rules.can_turn_off(workflow))
        workflow.enabled = False
        workflow.save(update_fields=["enabled", "updated_at"])
    return workflow


def existing_matches(workflow: Workflow) -> int:
    """How many records already meet the published trigger criteria (shown at turn-on)."""
    if workflow.published is None:
        return 0
    return len(feed.matching_ids(workflow, wf.parse(workflow.published.definition)))


def enroll_record(workflow: Workflow, object_id: int, *, actor: Actor) -> Enrollment:
    """Enroll one record by hand; it need not meet the triggers (WQ-5), but may not be
    enrolled already."""
    require(rules.can_manage_workflows(actor))
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        if workflow.published is None:
            raise RuleViolation("Publish the workflow before enrolling records.")
        active = Enrollment.objects.filter(
            workflow=workflow, object_id=object_id, status=EnrollmentStatus.ACTIVE
        )
        if active.exists():
            raise RuleViolation("The record is already enrolled in this workflow.")
        kind = wf.object_type_named(workflow.object_type)
        if not kind.model._default_manager.filter(pk=object_id).exists():
            raise RuleViolation(f"There is no {kind.singular} {object_id}.", code="not_found")
        made = engine.enroll(
            workflow,
            workflow.published,
            object_id,
            trigger_key=f"manual:{timezone.now().timestamp()}",
            trigger=f"Enrolled by {actor.describe()}",
        )
        assert made is not None
        return made


def retry_step_run(step_run: StepRun, *, actor: Actor) -> StepRun:
    """Run a failed action again (WF-4); the enrollment goes on from there."""
    require(rules.can_manage_workflows(actor))
    engine.requeue(step_run)
    step_run.refresh_from_db()
    return step_run


def describe_step(step: wf.Step) -> str:
    """A step as the editor and the review show it."""
    if step.type == wf.DELAY:
        return "Delay"
    if step.type == wf.BRANCH:
        count = len(step.branches)
        return ngettext(
            "If/then branch (%(count)s branch)", "If/then branch (%(count)s branches)", count
        ) % {"count": count}
    if step.type in action_types:
        return action_types.get(step.type).label
    return step.type


def changes_to_publish(workflow: Workflow) -> list[str]:
    """What publishing the draft would change, in words (WF-3 "review and publish")."""
    try:
        draft = wf.parse(workflow.draft)
    except wf.DefinitionError as error:
        return error.problems
    if workflow.published is None:
        return ["First version: " + ", ".join(describe_step(s) for s in draft.steps)]
    before = wf.parse(workflow.published.definition)
    changes = []
    if before.filters != draft.filters:
        changes.append("Trigger criteria changed.")
    if before.events != draft.events:
        changes.append("Trigger events changed.")
    if (before.re_enroll, before.re_enroll_properties) != (
        draft.re_enroll,
        draft.re_enroll_properties,
    ):
        changes.append("Re-enrollment changed.")
    old = {s.id: s for s in before.all_steps()}
    new = {s.id: s for s in draft.all_steps()}
    changes += [f"Added: {describe_step(new[i])}." for i in new if i not in old]
    changes += [f"Removed: {describe_step(old[i])}." for i in old if i not in new]
    changes += [f"Changed: {describe_step(new[i])}." for i in new if i in old and new[i] != old[i]]
    if [s.id for s in before.all_steps()] != [s.id for s in draft.all_steps()] and not (
        set(old) ^ set(new)
    ):
        changes.append("Steps reordered.")
    return changes


def _readable(definition: Mapping[str, Any]) -> None:
    try:
        wf.parse(definition)
    except wf.DefinitionError as error:
        raise RuleViolation(" ".join(error.problems), code="invalid") from error


def _user(actor: Actor) -> Any:
    return actor.user if actor.user is not None and getattr(actor.user, "pk", None) else None
