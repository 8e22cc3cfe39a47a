"""Workflows in tests: a workflow built, published and turned on in one call, and a test action
that records what ran (a history event on the record, in the step's transaction) and can be
told to fail."""

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.history.models import Entry
from faktura.history.services import record_event
from faktura.workflows import feed, services
from faktura.workflows.models import Workflow
from faktura.workflows.registry import (
    ActionContext,
    ActionError,
    ActionType,
    ConfigField,
    RetryPolicy,
    action_types,
)
from faktura.workflows.tests.ledger_actions import ASKED, CONNECTED, LEDGERS

# label → errors still to raise before the action succeeds ("retryable" or "fatal")
FAILURES: dict[str, list[str]] = {}


def _remember(context: ActionContext) -> Mapping[str, Any]:
    label = str(context.config["label"])
    pending = FAILURES.get(label) or []
    if pending:
        kind = pending.pop(0)
        raise ActionError(f"{label} could not run ({kind}).", retryable=kind == "retryable")
    record_event(context.record, "workflow.test_step", actor=context.actor, data={"label": label})
    return {"label": label}


REMEMBER = action_types.register(
    "tests.remember",
    ActionType(
        name="tests.remember",
        label="Remember (tests)",
        description="Records a history event on the record.",
        run=_remember,
        fields=(ConfigField("label", "Label"),),
        retry=RetryPolicy(),
    ),
)


def remember(step_id: str, label: str | None = None) -> dict[str, Any]:
    return {"id": step_id, "type": "tests.remember", "config": {"label": label or step_id}}


def ran(record: Any) -> list[str]:
    """The labels of the test actions that ran on the record, in order."""
    events = Entry.objects.filter(object_id=record.pk, event_type="workflow.test_step")
    return [e.data["label"] for e in events.order_by("id")]


def read_feed() -> feed.FeedRun:
    """One pass of the clock over the feed. PostgreSQL keeps drawing history ids in tests that
    roll back, so a test's first entry follows a gap; the clock reads past a gap once the entry
    after it is GAP_WAIT old, so the pass reads as if that time had gone by."""
    return feed.process_feed(now=timezone.now() + feed.GAP_WAIT)


WORKFLOW = "Won deals"
KEY = "faktura-wf3-e8-s2"


def run_action(
    action: ActionType, record: Any, object_type: str, key: str = KEY, **config: Any
) -> Mapping[str, Any]:
    """Run an action type directly, as step `key` of the workflow WORKFLOW would."""
    context = ActionContext(
        config=config,
        record=record,
        object_type=object_type,
        actor=Actor.workflow(WORKFLOW),
        idempotency_key=key,
        workflow_name=WORKFLOW,
        first_attempt_at=timezone.now(),
    )
    return action.run(context)


def where(prop: str, operator: str, *values: str) -> list[list[dict[str, Any]]]:
    return [[{"property": prop, "operator": operator, "values": list(values)}]]


@pytest.fixture(autouse=True)
def _no_failures() -> None:
    FAILURES.clear()


@pytest.fixture(autouse=True)
def _ledgers_connected() -> None:
    """The test ledgers as ledger_actions.py connects them, and no choices asked yet."""
    LEDGERS.clear()
    LEDGERS.update(CONNECTED)
    ASKED.clear()


@pytest.fixture
def run_feed(django_capture_on_commit_callbacks: Any) -> Callable[[], feed.FeedRun]:
    """Read the feed and run the steps it queues, as the clock and the worker would."""

    def run() -> feed.FeedRun:
        with django_capture_on_commit_callbacks(execute=True):
            return read_feed()

    return run


@pytest.fixture
def live_workflow(admin: Actor) -> Callable[..., Workflow]:
    """live_workflow(object_type, steps, filters=…, events=…, re_enroll=…) → published and on."""

    def make(
        object_type: str,
        steps: list[dict[str, Any]],
        *,
        filters: list[Any] | None = None,
        events: list[dict[str, Any]] | None = None,
        re_enroll: list[str] | None = None,
        enroll_existing: bool = False,
        name: str = "Test workflow",
    ) -> Workflow:
        workflow = services.create_workflow(
            actor=admin,
            name=name,
            object_type=object_type,
            definition={
                "triggers": {"filters": filters or [], "events": events or []},
                "re_enrollment": {"enabled": re_enroll is not None, "properties": re_enroll or []},
                "steps": steps,
            },
        )
        services.publish_workflow(workflow, actor=admin)
        services.turn_on_workflow(workflow, actor=admin, enroll_existing=enroll_existing)
        workflow.refresh_from_db()
        return workflow

    return make
