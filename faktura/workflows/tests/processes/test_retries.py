"""A webhook step's answers through db_worker: a 503 is retried by the worker at the time the
retry policy set (the deferred task waits in the queue), a 400 stops the enrollment at once."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from faktura.crm.models import Activity
from faktura.sales import services as sales
from faktura.workflows.models import Enrollment, EnrollmentStatus, StepRun, StepStatus
from faktura.workflows.tests.conftest import where
from faktura.workflows.tests.processes.conftest import note, read_whole_feed, webhook

pytestmark = pytest.mark.django_db(transaction=True)

WON = where("dealstage", "any_of", "closedwon")


def step_is(step_id: str, *statuses: StepStatus):
    return lambda: StepRun.objects.filter(step_id=step_id, status__in=statuses).exists()


# SPEC WF-4
def test_a_503_is_retried_by_the_worker_a_minute_later_and_the_run_goes_on(
    processes, receiver, live_workflow, system
):
    receiver.answer(503, 200)
    live_workflow("deal", [webhook("hook", f"{receiver.url}/won"), note("after")], filters=WON)
    deal = sales.create_deal(actor=system, dealname="Engine", dealstage="closedwon")
    read_whole_feed()
    processes.worker()

    # The retry's task row is queued on commit of the failure, a moment after the step reads
    # RETRYING: wait for both.
    processes.wait_until(
        lambda: (
            step_is("hook", StepStatus.RETRYING)()
            and DBTaskResult.objects.filter(status="READY").exists()
        ),
        "the first attempt to fail and its retry to be queued",
    )
    step = StepRun.objects.get(step_id="hook")
    assert step.attempts == 1
    assert step.error.startswith(
        f"The webhook at {receiver.url}/won answered 503 Service Unavailable: a problem on the "
        "receiving end, often temporary. Attempt 1 failed; next try at "
    )
    assert step.first_attempt_at
    assert step.run_after == step.first_attempt_at + dt.timedelta(minutes=1)
    deferred = DBTaskResult.objects.get(status="READY")  # the worker leaves it until then
    assert deferred.run_after == step.run_after

    # A minute passes.
    past = timezone.now() - dt.timedelta(seconds=1)
    StepRun.objects.filter(pk=step.pk).update(run_after=past)
    DBTaskResult.objects.filter(pk=deferred.pk).update(run_after=past)
    processes.wait_until(step_is("after", StepStatus.SUCCEEDED), "the retry and the next step")

    step.refresh_from_db()
    assert step.status == StepStatus.SUCCEEDED
    assert step.attempts == 2
    assert step.error == ""
    assert step.result == {"status": 200, "response": ""}
    assert receiver.keys() == [step.idempotency_key] * 2
    assert receiver.applied == [step.idempotency_key]
    assert Activity.objects.filter(object_type="deal", object_id=deal.pk).count() == 1
    assert Enrollment.objects.get().status == EnrollmentStatus.COMPLETED


# SPEC WF-4
def test_a_400_is_not_retried_and_stops_the_enrollment_at_that_step(
    processes, receiver, live_workflow, system
):
    receiver.answer(400)
    live_workflow("deal", [webhook("hook", f"{receiver.url}/won"), note("after")], filters=WON)
    sales.create_deal(actor=system, dealname="Engine", dealstage="closedwon")
    read_whole_feed()
    processes.worker()

    processes.wait_until(step_is("hook", StepStatus.FAILED), "the webhook step to fail")
    # Nothing waits in the queue: no retry was scheduled.
    processes.wait_until(
        lambda: not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists(),
        "the worker to finish its task",
    )
    step = StepRun.objects.get(step_id="hook")
    assert step.attempts == 1
    assert step.run_after is None
    assert step.error == (
        f"The webhook at {receiver.url}/won refused the request with 400 Bad Request. Fix the "
        "receiving end or the URL, then retry."
    )
    assert step.finished_at is not None
    assert Enrollment.objects.get().status == EnrollmentStatus.FAILED
    assert not StepRun.objects.filter(step_id="after").exists()
    assert len(receiver.deliveries) == 1
    assert receiver.applied == []
