"""The engine on the services: triggers from the change feed (WF-2), ordered steps with delays
and branches, skipped actions while off, retries and the user's Retry (WF-4), crash recovery.
Tasks run inline here; test_worker.py runs them in db_worker."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone

from faktura.core.errors import RuleViolation
from faktura.sales import services as sales
from faktura.workflows import definition, engine, services
from faktura.workflows.models import (
    Enrollment,
    EnrollmentStatus,
    FeedCursor,
    StepRun,
    StepStatus,
)
from faktura.workflows.tests.conftest import FAILURES, ran, read_feed, remember, where

pytestmark = pytest.mark.django_db

WON = where("dealstage", "any_of", "closedwon")


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    """Run one step at a given time (delays and retries), and what it queues."""

    def run(step_run: StepRun, now: dt.datetime) -> StepRun:
        with django_capture_on_commit_callbacks(execute=True):
            return engine.run_step(step_run.pk, now=now)

    return run


def deal(system, stage="appointmentscheduled", name="Engine"):
    return sales.create_deal(actor=system, dealname=name, dealstage=stage)


# SPEC WF-1
# SPEC WF-2
def test_a_record_that_meets_the_filters_is_enrolled_and_runs_every_step_in_order(
    live_workflow, system, run_feed
):
    live_workflow("deal", [remember("s1"), remember("s2"), remember("s3")], filters=WON)
    won = deal(system, "closedwon")
    other = deal(system, "appointmentscheduled", name="Other")

    assert run_feed().enrolled == 1

    assert ran(won) == ["s1", "s2", "s3"]
    assert ran(other) == []
    enrollment = Enrollment.objects.get(object_id=won.pk)
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert [s.status for s in enrollment.steps.all()] == [StepStatus.SUCCEEDED] * 3
    assert enrollment.trigger == "Created, meeting the trigger criteria"


# SPEC WF-2
def test_a_record_is_enrolled_when_it_starts_meeting_the_filters(live_workflow, system, run_feed):
    live_workflow("deal", [remember("s1")], filters=WON)
    later = deal(system)
    run_feed()
    assert ran(later) == []

    sales.update_deal(later, actor=system, values={"dealstage": "closedwon"})
    run_feed()

    assert ran(later) == ["s1"]
    assert "dealstage appointmentscheduled → closedwon" in Enrollment.objects.get().trigger


# SPEC WF-2
def test_an_event_trigger_with_a_value_and_refining_filters(live_workflow, system, run_feed):
    live_workflow(
        "deal",
        [remember("s1")],
        events=[{"event": "property_changed", "property": "dealstage", "to": "closedwon"}],
        filters=where("dealname", "contains", "Big"),
    )
    big, small = deal(system, name="Big engine"), deal(system, name="Small engine")
    for record in (big, small):
        sales.update_deal(record, actor=system, values={"dealstage": "closedlost"})
        sales.update_deal(record, actor=system, values={"dealstage": "closedwon"})

    run_feed()

    assert ran(big) == ["s1"]
    assert ran(small) == []


# SPEC WF-2
def test_without_re_enrollment_a_record_is_enrolled_once(live_workflow, system, run_feed):
    live_workflow("deal", [remember("s1")], filters=WON)
    record = deal(system, "closedwon")
    run_feed()
    for stage in ("closedlost", "closedwon"):
        sales.update_deal(record, actor=system, values={"dealstage": stage})
    run_feed()
    assert ran(record) == ["s1"]


# SPEC WF-2
def test_with_re_enrollment_a_change_of_a_chosen_property_enrolls_again(
    live_workflow, system, run_feed
):
    live_workflow("deal", [remember("s1")], filters=WON, re_enroll=["dealstage"])
    record = deal(system, "closedwon")
    run_feed()
    sales.update_deal(record, actor=system, values={"dealstage": "closedlost"})
    sales.update_deal(record, actor=system, values={"dealname": "Renamed"})
    run_feed()
    assert ran(record) == ["s1"]  # not meeting the filters, or not a chosen property

    sales.update_deal(record, actor=system, values={"dealstage": "closedwon"})
    run_feed()
    assert ran(record) == ["s1", "s1"]
    assert Enrollment.objects.filter(object_id=record.pk).count() == 2


# SPEC WF-2
def test_reading_the_feed_again_enrolls_nothing_twice(live_workflow, system, run_feed):
    workflow = live_workflow("deal", [remember("s1")], filters=WON, re_enroll=["dealstage"])
    record = deal(system, "closedwon")
    run_feed()
    cursor = FeedCursor.objects.get()
    FeedCursor.objects.filter(pk=cursor.pk).update(last_entry_id=cursor.last_entry_id - 50)

    assert run_feed().enrolled == 0
    assert ran(record) == ["s1"]
    assert workflow.enrollments.count() == 1


# SPEC WF-2
def test_records_changed_while_the_workflow_was_off_are_not_enrolled_later(
    live_workflow, system, admin, run_feed
):
    workflow = live_workflow("deal", [remember("s1")], filters=WON)
    services.turn_off_workflow(workflow, actor=admin)
    record = deal(system, "closedwon")
    services.turn_on_workflow(workflow, actor=admin)
    run_feed()
    assert ran(record) == []


# SPEC WF-3
def test_turning_on_can_enroll_the_records_that_already_match(
    system, admin, run_feed, live_workflow, django_capture_on_commit_callbacks
):
    matching = [deal(system, "closedwon", name=f"Won {n}") for n in range(3)]
    deal(system, name="Open")
    workflow = services.create_workflow(
        actor=admin, name="Won", object_type="deal",
        definition={"triggers": {"filters": WON}, "steps": [remember("s1")]},
    )  # fmt: skip
    services.publish_workflow(workflow, actor=admin)
    workflow.refresh_from_db()
    assert services.existing_matches(workflow) == 3

    with django_capture_on_commit_callbacks(execute=True):
        assert services.turn_on_workflow(workflow, actor=admin, enroll_existing=True) == 3

    assert [ran(record) for record in matching] == [["s1"]] * 3
    run_feed()
    assert workflow.enrollments.count() == 3


# SPEC WF-4
def test_a_branch_takes_the_first_branch_the_record_meets_else_the_otherwise_path(
    live_workflow, system, run_feed
):
    branch = {
        "id": "b",
        "type": "branch",
        "branches": [
            {"label": "Big", "filters": where("dealname", "contains", "Big"),
             "steps": [remember("big")]},
            {"label": "Named", "filters": where("dealname", "contains", "Engine"),
             "steps": [remember("named")]},
        ],
        "otherwise": [remember("small")],
    }  # fmt: skip
    live_workflow("deal", [remember("first"), branch, remember("last")], filters=WON)
    big = deal(system, "closedwon", name="Big engine")
    named = deal(system, "closedwon", name="Engine")
    small = deal(system, "closedwon", name="Lever")

    run_feed()

    assert ran(big) == ["first", "big", "last"]
    assert ran(named) == ["first", "named", "last"]
    assert ran(small) == ["first", "small", "last"]
    assert StepRun.objects.get(enrollment__object_id=small.pk, step_id="b").result == {
        "branch": "None met"
    }


# SPEC WF-4
def test_a_delay_holds_the_next_step_until_its_time(live_workflow, system, run_feed, step):
    delay = {"id": "wait", "type": "delay", "config": {"kind": "duration", "minutes": 60}}
    live_workflow("deal", [remember("before"), delay, remember("after")], filters=WON)
    record = deal(system, "closedwon")
    run_feed()
    waiting = StepRun.objects.get(step_id="wait")
    assert ran(record) == ["before"]
    assert waiting.status == StepStatus.PENDING
    soon = timezone.now() + dt.timedelta(minutes=59)
    assert step(waiting, soon).status == StepStatus.PENDING  # not due: nobody may claim it

    step(waiting, timezone.now() + dt.timedelta(minutes=61))

    assert ran(record) == ["before", "after"]


def test_a_delay_until_a_weekday_ends_at_that_day_and_time():
    monday_noon = timezone.make_aware(dt.datetime(2026, 11, 23, 12, 0))
    step = engine.Step("d", "delay", {"kind": "until_weekday", "weekdays": [0, 2], "time": "09:00"})
    enrollment = Enrollment(object_type="deal", object_id=0)
    until = engine._delay_until(enrollment, step, monday_noon)
    assert timezone.localtime(until).replace(tzinfo=None) == dt.datetime(2026, 11, 25, 9, 0)


# SPEC WF-4
def test_while_the_workflow_is_off_actions_are_skipped_and_say_so(
    live_workflow, system, admin, run_feed, step
):
    delay = {"id": "wait", "type": "delay", "config": {"kind": "duration", "minutes": 5}}
    workflow = live_workflow("deal", [delay, remember("after")], filters=WON)
    record = deal(system, "closedwon")
    run_feed()
    services.turn_off_workflow(workflow, actor=admin)

    step(StepRun.objects.get(step_id="wait"), timezone.now() + dt.timedelta(minutes=6))

    skipped = StepRun.objects.get(step_id="after")
    assert skipped.status == StepStatus.SKIPPED
    assert skipped.error == "The workflow was off when this action was due."
    assert ran(record) == []
    assert skipped.enrollment.status == EnrollmentStatus.COMPLETED


# SPEC WF-4
def test_a_retryable_error_is_tried_again_later_and_then_the_run_goes_on(
    live_workflow, system, run_feed, step
):
    FAILURES["s1"] = ["retryable"]
    live_workflow("deal", [remember("s1"), remember("s2")], filters=WON)
    record = deal(system, "closedwon")
    run_feed()
    retrying = StepRun.objects.get(step_id="s1")
    assert retrying.status == StepStatus.RETRYING
    assert retrying.error.startswith("s1 could not run (retryable). Attempt 1 failed; next try")
    assert retrying.run_after is not None
    assert retrying.run_after > timezone.now() + dt.timedelta(seconds=50)

    step(retrying, retrying.run_after)

    assert ran(record) == ["s1", "s2"]
    assert StepRun.objects.get(step_id="s1").attempts == 2


# SPEC WF-4
def test_a_failed_action_stops_the_run_until_the_user_retries_it(
    live_workflow, system, admin, run_feed, django_capture_on_commit_callbacks
):
    FAILURES["s1"] = ["fatal"]
    live_workflow("deal", [remember("s1"), remember("s2")], filters=WON)
    record = deal(system, "closedwon")
    run_feed()
    failed = StepRun.objects.get(step_id="s1")
    assert (failed.status, failed.error) == (StepStatus.FAILED, "s1 could not run (fatal).")
    assert failed.enrollment.status == EnrollmentStatus.FAILED
    assert ran(record) == []

    with django_capture_on_commit_callbacks(execute=True):
        services.retry_step_run(failed, actor=admin)

    assert ran(record) == ["s1", "s2"]
    failed.refresh_from_db()
    assert failed.status == StepStatus.SUCCEEDED
    assert failed.enrollment.status == EnrollmentStatus.COMPLETED
    with pytest.raises(RuleViolation, match="Only a failed action can be retried"):
        services.retry_step_run(failed, actor=admin)


# SPEC WF-4
def test_a_step_held_by_a_dead_worker_is_handed_out_again_once_its_claim_runs_out(
    live_workflow, system, run_feed, django_capture_on_commit_callbacks
):
    live_workflow("deal", [remember("s1")], filters=WON)
    record = deal(system, "closedwon")
    with django_capture_on_commit_callbacks(execute=False):
        read_feed()  # enrolled; its first step is queued but not run
    pending = StepRun.objects.get()
    assert engine.claim(pending.pk, timezone.now())  # a worker took it, then died
    assert not engine.claim(pending.pk, timezone.now())  # nobody else can take it

    assert engine.recover_stale_steps() == 0  # its claim still holds
    StepRun.objects.filter(pk=pending.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.recover_stale_steps() == 1

    assert ran(record) == ["s1"]
    assert StepRun.objects.get().attempts == 2


# SPEC WF-3
def test_enrollments_keep_the_version_they_started_with(
    live_workflow, system, admin, run_feed, step
):
    delay = {"id": "wait", "type": "delay", "config": {"kind": "duration", "minutes": 5}}
    workflow = live_workflow("deal", [delay, remember("v1")], filters=WON)
    first = deal(system, "closedwon")
    run_feed()
    services.update_workflow(
        workflow, actor=admin,
        definition={**workflow.draft, "steps": [delay, remember("v2")]},
    )  # fmt: skip
    services.publish_workflow(workflow, actor=admin)
    second = deal(system, "closedwon", name="Second")
    run_feed()

    for waiting in StepRun.objects.filter(step_id="wait"):
        step(waiting, timezone.now() + dt.timedelta(minutes=6))

    assert (ran(first), ran(second)) == (["v1"], ["v2"])


def test_a_deleted_record_leaves_the_workflow(live_workflow, system, run_feed, step):
    delay = {"id": "wait", "type": "delay", "config": {"kind": "duration", "minutes": 5}}
    live_workflow("deal", [delay, remember("after")], filters=WON)
    record = deal(system, "closedwon")
    run_feed()
    sales.archive_deal(record, actor=system)

    left = step(StepRun.objects.get(step_id="wait"), timezone.now() + dt.timedelta(minutes=6))

    assert left.status == StepStatus.SKIPPED
    assert "deleted or archived" in left.error
    assert Enrollment.objects.get().status == EnrollmentStatus.CANCELLED


def test_the_documented_example_definition_is_publishable():
    text = (Path(__file__).resolve().parents[3] / "docs" / "workflows.md").read_text()
    example = re.search(r"## Definition format \(JSON\)\n\n```json\n(.*?)```", text, re.S)
    assert example is not None
    assert definition.problems("deal", json.loads(example.group(1))) == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"steps": [remember("s1")]}, "Add an enrollment trigger"),
        ({"triggers": {"filters": WON}}, "Add at least one action."),
        ({"triggers": {"filters": WON}, "steps": [{"id": "x", "type": "teleport"}]},
         "there is no action type 'teleport'"),
        ({"triggers": {"events": [{"event": "invoice_finalized"}]}, "steps": [remember("s1")]},
         "“Invoice finalized” cannot trigger a deal workflow."),
        ({"triggers": {"filters": WON}, "steps": [remember("s1"), remember("s1")]},
         "Two steps have the id 's1'."),
        ({"triggers": {"filters": WON},
          "steps": [{"id": "d", "type": "delay", "config": {"kind": "duration", "minutes": 0}}]},
         "A delay needs a whole number of minutes"),
    ],
)  # fmt: skip
# SPEC WF-3
def test_publishing_refuses_a_definition_with_the_problems_in_words(admin, data, problem):
    workflow = services.create_workflow(
        actor=admin, name="Broken", object_type="deal", definition=data
    )
    with pytest.raises(RuleViolation, match=re.escape(problem)):
        services.publish_workflow(workflow, actor=admin)


# SPEC WF-1
def test_only_super_admins_change_workflows(editor):
    with pytest.raises(RuleViolation, match="Only a super admin"):
        services.create_workflow(actor=editor, name="Mine", object_type="deal")
