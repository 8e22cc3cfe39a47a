"""The “Create a note” and “Create a task” actions (WF-4): run directly with a context, they
add one activity per step key, fill {{ placeholders }} from the enrolled record, set a task's
due date and owner, and fail in words when the owner is unknown; their configuration checks;
and one note added by a live workflow through the engine."""

import datetime as dt

import pytest
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.crm.activities import activities_on
from faktura.crm.models import Activity
from faktura.history.models import Entry
from faktura.sales import services as sales
from faktura.workflows import feed
from faktura.workflows.placeholders import fill_placeholders
from faktura.workflows.registry import ActionContext, ActionError, action_types

pytestmark = pytest.mark.django_db

KEY = "faktura-wf3-e17-s2"
NOTE = action_types.get("create_note")
TASK = action_types.get("create_task")


def context(record, config, *, key=KEY, object_type="deal"):
    return ActionContext(
        config=config,
        record=record,
        object_type=object_type,
        actor=Actor.workflow("Workflow “Won deals”"),
        idempotency_key=key,
        workflow_name="Won deals",
        first_attempt_at=timezone.now(),
    )


def test_both_actions_are_registered_for_every_type_and_run_in_the_step_transaction():
    for action in (NOTE, TASK):
        assert action.object_types is None
        assert action.transactional
        assert action.applies_to("invoice")
    assert (NOTE.label, TASK.label) == ("Create a note", "Create a task")


# --- Create a note -----------------------------------------------------------------------------


# SPEC WF-4
def test_note_is_created_once_when_the_step_runs_twice(deal):
    first = NOTE.run(context(deal, {"body": "Deal won. Send the invoice."}))
    again = NOTE.run(context(deal, {"body": "Deal won. Send the invoice."}))

    note = Activity.objects.get()
    assert first == again == {"activity_id": note.pk, "kind": "note"}
    assert (note.object_type, note.object_id, note.body) == (
        "deal",
        deal.pk,
        "Deal won. Send the invoice.",
    )
    assert note.source_key == KEY
    assert note.created_by_label == "Workflow “Won deals”"
    added = Entry.objects.for_object("deal", deal.pk).filter(event_type="deal.note_added")
    assert added.count() == 1
    assert added.get().actor_label == "Workflow “Won deals”"


# SPEC WF-4
def test_another_step_key_makes_another_note(deal):
    NOTE.run(context(deal, {"body": "One"}, key="faktura-wf3-e17-s2"))
    NOTE.run(context(deal, {"body": "Two"}, key="faktura-wf3-e18-s2"))

    assert [a.body for a in activities_on(deal)] == ["Two", "One"]


# SPEC WF-4
def test_placeholders_are_filled_with_the_record_values_as_people_read_them(system, deal):
    sales.update_deal(deal, actor=system, values={"dealstage": "closedwon"})
    deal.refresh_from_db()
    body = (
        "{{ dealname }} is {{dealstage}} at {{ amount }}.\n"
        "Close date: [{{ closedate }}]; {{ no_such_property }} and {{ not a name }} stay."
    )

    result = NOTE.run(context(deal, {"body": body}))

    note = Activity.objects.get(pk=result["activity_id"])
    assert note.body == (
        "Difference engine is Closed won at 435.00 USD.\n"
        "Close date: []; {{ no_such_property }} and {{ not a name }} stay."
    )


def test_placeholders_on_an_invoice_and_a_contact(system, contact, draft_invoice):
    assert fill_placeholders("Hi {{ firstname }} ({{ email }})", contact) == (
        "Hi Ada (ada@example.com)"
    )
    assert fill_placeholders("Total {{ hs_amount_billed }}", draft_invoice) == "Total 250.00 USD"


def test_note_whose_body_fills_in_empty_fails_in_words_without_retry(deal):
    with pytest.raises(ActionError, match="A note needs some text") as failure:
        NOTE.run(context(deal, {"body": "{{ closedate }}"}))
    assert not failure.value.retryable
    assert not Activity.objects.exists()


def test_note_without_a_body_is_refused_on_publish(deal):
    assert NOTE.problems("deal", {"body": "  "}) == ["“Create a note”: Note is required."]
    assert NOTE.problems("deal", {}) == ["“Create a note”: Note is required."]
    assert NOTE.problems("invoice", {"body": "Hello {{ hs_number }}"}) == []


# --- Create a task -----------------------------------------------------------------------------


# SPEC WF-4
def test_task_is_due_whole_days_after_the_run_and_assigned_by_username(deal, editor_user):
    before = timezone.now()
    result = TASK.run(
        context(
            deal,
            {
                "title": "Invoice {{ dealname }}",
                "body": "Stage: {{ dealstage }}",
                "due_in_days": "3",
                "owner": "Editor",
            },
        )
    )
    after = timezone.now()

    task = Activity.objects.get(pk=result["activity_id"])
    assert (task.kind, task.title, task.body) == (
        "task",
        "Invoice Difference engine",
        "Stage: Appointment scheduled",
    )
    assert task.owner == editor_user
    assert task.due_at is not None
    assert before + dt.timedelta(days=3) <= task.due_at <= after + dt.timedelta(days=3)
    assert result == {
        "activity_id": task.pk,
        "kind": "task",
        "due_at": task.due_at.isoformat(),
        "owner": "editor",
    }
    assert task.source_key == KEY


# SPEC WF-4
def test_task_is_created_once_when_the_step_runs_twice(deal):
    config = {"title": "Call the buyer", "due_in_days": 1}
    assert TASK.run(context(deal, config)) == TASK.run(context(deal, config))
    assert Activity.objects.count() == 1


def test_task_owner_by_email_and_without_due_date_or_owner(deal, editor_user):
    by_email = TASK.run(context(deal, {"title": "A", "owner": "EDITOR@faktura.test"}, key="k1"))
    plain = TASK.run(context(deal, {"title": "B", "due_in_days": "", "owner": ""}, key="k2"))

    assert Activity.objects.get(pk=by_email["activity_id"]).owner == editor_user
    assert plain["due_at"] is None
    assert plain["owner"] is None


# SPEC WF-4
def test_unknown_owner_fails_in_words_and_is_not_retried(deal, editor_user):
    with pytest.raises(ActionError) as failure:
        TASK.run(context(deal, {"title": "Call", "owner": "nobody@example.com"}))

    assert not failure.value.retryable
    assert failure.value.message == (
        "The task's owner “nobody@example.com” is not an active Faktura user. Edit the "
        "workflow and enter the username or email address of an active user."
    )
    assert not Activity.objects.exists()


def test_deactivated_owner_counts_as_unknown(deal, editor_user):
    editor_user.is_active = False
    editor_user.save()

    with pytest.raises(ActionError, match="not an active Faktura user"):
        TASK.run(context(deal, {"title": "Call", "owner": "editor"}))


def test_a_title_made_too_long_by_a_placeholder_is_shortened(system, deal):
    sales.update_deal(deal, actor=system, values={"dealname": "D" * 190})
    deal.refresh_from_db()

    result = TASK.run(context(deal, {"title": "Invoice {{ dealname }} today"}))

    title = Activity.objects.get(pk=result["activity_id"]).title
    assert title == "Invoice " + "D" * 190 + "…"  # cut to fit 200 characters


def test_task_configuration_problems_on_publish(editor_user):
    assert TASK.problems("deal", {"body": "x"}) == ["“Create a task”: Title is required."]
    assert TASK.problems("deal", {"title": "Call", "due_in_days": "2", "owner": "editor"}) == []
    assert TASK.problems("deal", {"title": "Call", "due_in_days": "1.5"}) == [
        "“Create a task”: Due in (days) must be a whole number of days, not “1.5”."
    ]
    assert TASK.problems("deal", {"title": "Call", "due_in_days": "soon"}) == [
        "“Create a task”: Due in (days) must be a whole number of days, not “soon”."
    ]
    assert TASK.problems("deal", {"title": "Call", "due_in_days": -1}) == [
        "“Create a task”: Due in (days) must be between 0 and 3650 days."
    ]
    assert TASK.problems("deal", {"title": "x" * 201}) == [
        "“Create a task”: Title can be at most 200 characters; this one has 201. Move the "
        "details into the description."
    ]
    assert TASK.problems("deal", {"title": "Call", "owner": "ghost"}) == [
        "“Create a task”: The task's owner “ghost” is not an active Faktura user. Edit the "
        "workflow and enter the username or email address of an active user."
    ]


def test_invalid_days_at_run_time_fail_without_retry(deal):
    with pytest.raises(ActionError, match="whole number of days") as failure:
        TASK.run(context(deal, {"title": "Call", "due_in_days": "two"}))
    assert not failure.value.retryable


# --- through the engine ------------------------------------------------------------------------


# SPEC WF-4
def test_a_live_workflow_adds_its_note_to_each_enrolled_deal(
    live_workflow, system, django_capture_on_commit_callbacks
):
    live_workflow(
        "deal",
        [{"id": "s1", "type": "create_note", "config": {"body": "New deal {{ dealname }}"}}],
        events=[{"event": "created"}],
        name="New deals",
    )
    deal = sales.create_deal(actor=system, dealname="Analytical engine")

    # Read once the feed's wait for gaps in the history ids has passed: on PostgreSQL the ids
    # other tests drew before this one are such a gap.
    later = timezone.now() + feed.GAP_WAIT + dt.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        feed.process_feed(now=later)

    [note] = activities_on(deal)
    assert note.body == "New deal Analytical engine"
    assert note.created_by_label == "Workflow “New deals”"
