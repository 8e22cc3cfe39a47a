"""A db_worker killed (SIGKILL) in the middle of a step that calls a webhook: after its claim
runs out, the clock hands the step out again and a new worker finishes the enrollment. The
receiver saw the step twice with the same Idempotency-Key, so its effect happened once."""

import datetime as dt

import pytest
from django.utils import timezone

from faktura.crm.models import Activity
from faktura.sales import services as sales
from faktura.workflows import engine
from faktura.workflows.models import Enrollment, EnrollmentStatus, StepRun, StepStatus
from faktura.workflows.tests.conftest import where
from faktura.workflows.tests.processes.conftest import note, read_whole_feed, webhook

pytestmark = pytest.mark.django_db(transaction=True)


# SPEC WF-4
def test_a_worker_killed_mid_webhook_leaves_a_step_that_runs_again_with_one_effect(
    processes, receiver, live_workflow, system
):
    receiver.hold_first = True  # the effect is applied, the answer never gets back
    live_workflow(
        "deal",
        [webhook("charge", f"{receiver.url}/charge"), note("after")],
        filters=where("dealstage", "any_of", "closedwon"),
    )
    deal = sales.create_deal(actor=system, dealname="Engine", dealstage="closedwon")
    read_whole_feed()  # enrolled; the webhook step is queued for the worker

    worker = processes.worker()
    processes.wait_until(receiver.held.is_set, "the webhook to reach the receiver")
    processes.kill(worker)  # in the middle of the step: the request sent, no answer read
    receiver.release.set()

    step = StepRun.objects.get(step_id="charge")
    assert step.status == StepStatus.RUNNING
    assert step.attempts == 1
    assert step.claimed_until
    assert step.claimed_until > timezone.now() + dt.timedelta(minutes=4)
    assert engine.recover_stale_steps() == 0  # the dead worker's claim still holds

    # Restarted: a worker and the clock, which hands out steps whose claim ran out.
    processes.worker()
    processes.start("workflows_clock", "--interval", "0.2")
    # Five minutes pass: the dead worker's claim (engine.LEASE) runs out.
    StepRun.objects.filter(pk=step.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    enrollment = Enrollment.objects.get()
    processes.wait_until(
        lambda: Enrollment.objects.get(pk=enrollment.pk).status != EnrollmentStatus.ACTIVE,
        "the enrollment to finish",
    )

    step.refresh_from_db()
    assert step.status == StepStatus.SUCCEEDED
    assert step.attempts == 2
    assert step.result == {"status": 200, "response": ""}
    first, second = receiver.deliveries
    assert first.key == second.key == step.idempotency_key
    assert first.payload["objectId"] == second.payload["objectId"] == str(deal.pk)
    assert first.payload["firstAttemptAt"] == second.payload["firstAttemptAt"]
    assert receiver.applied == [step.idempotency_key]  # the effect happened once

    after = StepRun.objects.get(step_id="after")
    assert after.status == StepStatus.SUCCEEDED
    assert after.attempts == 1
    assert Activity.objects.filter(object_type="deal", object_id=deal.pk).count() == 1
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
