"""Workflow actions that add a note or a task to the enrolled record (WF-4), HubSpot's
"Create note" and "Create task". Texts may name the record's properties as placeholders,
`{{ dealname }}`, filled with the values as a person reads them when the step runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils import timezone

from faktura.accounts.models import User
from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.crm.services import TITLE_LIMIT
from faktura.workflows.config_fields import TEXT, TEXTAREA, FieldContext, Number, whole_number
from faktura.workflows.placeholders import PLACEHOLDER, fill_placeholders
from faktura.workflows.registry import (
    ActionContext,
    ActionError,
    ActionType,
    ConfigField,
    action_types,
)

# A task is due at most this many days after the step runs (ten years).
MAX_DUE_IN_DAYS = 3650


# --- Create a note


def run_create_note(context: ActionContext) -> Mapping[str, Any]:
    body = fill_placeholders(_text(context.config, "body"), context.record)
    try:
        note = crm.create_note(
            actor=context.actor,
            object_type=context.object_type,
            object_id=context.record.pk,
            body=body,
            source_key=context.idempotency_key,
        )
    except RuleViolation as refusal:
        raise ActionError(refusal.reason) from refusal
    return {"activity_id": note.pk, "kind": "note"}


CREATE_NOTE = action_types.register(
    "create_note",
    ActionType(
        name="create_note",
        label="Create a note",
        description="Adds a note to the record's activities. Use {{ property_name }} to "
        "include a value of the record, such as {{ hs_object_id }}.",
        run=run_create_note,
        fields=(
            ConfigField(
                "body",
                "Note",
                TEXTAREA,
                help="What the note says. {{ property_name }} is replaced by the record's value.",
            ),
        ),
        object_types=None,
        transactional=True,
    ),
)


# --- Create a task

DUE_IN_DAYS = ConfigField(
    "due_in_days",
    "Due in (days)",
    Number(minimum=0, maximum=MAX_DUE_IN_DAYS, unit="days"),
    required=False,
    help="Whole days after the step runs; empty for no due date.",
)


def run_create_task(context: ActionContext) -> Mapping[str, Any]:
    config = context.config
    # The field's own check: a definition imported or edited by hand may hold anything.
    if problems := DUE_IN_DAYS.problems(FieldContext(context.object_type, config)):
        raise ActionError(f"“Create a task”: {problems[0]}")
    days = whole_number(config.get(DUE_IN_DAYS.name))  # None: no due date
    owner = find_owner(_text(config, "owner"))
    title = _fit(fill_placeholders(_text(config, "title"), context.record), TITLE_LIMIT)
    due_at = timezone.now() + dt.timedelta(days=days) if days is not None else None
    try:
        task = crm.create_task(
            actor=context.actor,
            object_type=context.object_type,
            object_id=context.record.pk,
            title=title,
            body=fill_placeholders(_text(config, "body"), context.record),
            due_at=due_at,
            owner=owner,
            source_key=context.idempotency_key,
        )
    except RuleViolation as refusal:
        raise ActionError(refusal.reason) from refusal
    return {
        "activity_id": task.pk,
        "kind": "task",
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "owner": task.owner.get_username() if task.owner else None,
    }


def find_owner(text: str) -> User | None:
    """The active user named by username or email (None when not set). An unknown name is an
    error no retry can fix: the workflow must be edited."""
    name = text.strip()
    if not name:
        return None
    active = User.objects.filter(is_active=True)
    by_username = list(active.filter(username__iexact=name)[:2])
    if len(by_username) == 1:
        return by_username[0]
    matches = list(active.filter(Q(username__iexact=name) | Q(email__iexact=name))[:2])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ActionError(
            f"The task's owner “{name}” is not an active Faktura user. Edit the workflow and "
            "enter the username or email address of an active user."
        )
    raise ActionError(
        f"More than one user has the email address “{name}”, so the task's owner is unclear. "
        "Edit the workflow and enter the owner's username instead."
    )


def _task_problems(object_type: str, config: Mapping[str, Any]) -> list[str]:
    # Due in (days) is checked by its field's kind (a whole number from 0 to MAX_DUE_IN_DAYS).
    found = []
    title = _text(config, "title").strip()
    if len(title) > TITLE_LIMIT and not PLACEHOLDER.search(title):
        found.append(
            f"“Create a task”: Title can be at most {TITLE_LIMIT} characters; this one has "
            f"{len(title)}. Move the details into the description."
        )
    try:
        find_owner(_text(config, "owner"))
    except ActionError as problem:
        found.append(f"“Create a task”: {problem.message}")
    return found


CREATE_TASK = action_types.register(
    "create_task",
    ActionType(
        name="create_task",
        label="Create a task",
        description="Adds a task to the record's activities, optionally due some days after "
        "the step runs and assigned to a user. Use {{ property_name }} to include a value of "
        "the record.",
        run=run_create_task,
        fields=(
            ConfigField(
                "title",
                "Title",
                TEXT,
                help="What is to be done. {{ property_name }} is replaced by the record's value.",
            ),
            ConfigField("body", "Description", TEXTAREA, required=False),
            DUE_IN_DAYS,
            ConfigField(
                "owner",
                "Assigned to",
                TEXT,
                required=False,
                help="The username or email address of the user who should do it.",
            ),
        ),
        object_types=None,
        transactional=True,
        validate=_task_problems,
    ),
)


def _text(config: Mapping[str, Any], name: str) -> str:
    value = config.get(name)
    return "" if value is None else str(value)


def _fit(text: str, limit: int) -> str:
    """Text cut to `limit` characters (a filled-in placeholder can make a title too long)."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
