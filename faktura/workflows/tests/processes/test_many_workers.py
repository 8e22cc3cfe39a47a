"""Three db_worker processes on one queue: every step runs exactly once. Each webhook step is
queued three times (as a recovery pass or a lost task's re-queue can), two of them side by side
at the head of the queue, so two workers take the same step at the same moment; the claim (one
conditional UPDATE) lets one of them run it. The receiver counts raw executions: a step run
twice would show as two deliveries with the same Idempotency-Key."""

from collections import Counter

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from faktura.crm.models import Activity
from faktura.sales import services as sales
from faktura.workflows.models import Enrollment, EnrollmentStatus, StepRun, StepStatus
from faktura.workflows.tasks import run_step_task
from faktura.workflows.tests.conftest import where
from faktura.workflows.tests.processes.conftest import note, read_whole_feed, webhook

pytestmark = pytest.mark.django_db(transaction=True)

# SQLite lets one writer in at a time, and a worker that finds it busy sleeps before trying
# again (up to 100 ms): several workers there are no faster than one, so the test uses fewer deals.
DEALS = 100 if connection.vendor == "postgresql" else 30
WORKERS = 3


# SPEC WF-4
def test_three_workers_run_every_step_exactly_once(processes, receiver, live_workflow, system):
    live_workflow(
        "deal",
        [webhook("hook", f"{receiver.url}/won"), note("after")],
        filters=where("dealstage", "any_of", "closedwon"),
    )
    for number in range(DEALS):
        sales.create_deal(actor=system, dealname=f"Deal {number}", dealstage="closedwon")
    read_whole_feed()  # each enrollment's first step queued once
    first_steps = list(StepRun.objects.values_list("pk", flat=True))
    assert len(first_steps) == DEALS
    for pk in first_steps:
        for _ in range(2):  # twice more, next to each other, ahead of the first
            run_step_task.using(priority=1).enqueue(pk)

    for _ in range(WORKERS):
        processes.worker()
    processes.wait_until(
        lambda: not Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE).exists(),
        f"{DEALS} enrollments to finish",
        timeout=120,
    )
    processes.wait_until(
        lambda: not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists(),
        "the workers to finish their tasks",
    )

    assert Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED).count() == DEALS
    steps = StepRun.objects.select_related("enrollment")
    assert steps.count() == 2 * DEALS
    assert {(s.status, s.attempts) for s in steps} == {(StepStatus.SUCCEEDED, 1)}
    deliveries = Counter(receiver.keys())
    assert deliveries == Counter(s.idempotency_key for s in steps if s.step_id == "hook")
    assert set(deliveries.values()) == {1}
    assert Activity.objects.filter(object_type="deal").count() == DEALS
    tasks = DBTaskResult.objects.all()
    assert tasks.count() == 4 * DEALS  # three per webhook step, one per note step
    assert len({worker for task in tasks for worker in task.worker_ids}) > 1  # they shared it
    # A task returns its step's status: one that lost the race found the step "running".
    returned = Counter(task.return_value for task in tasks)
    assert set(returned) <= {StepStatus.SUCCEEDED, StepStatus.RUNNING}
    if connection.vendor == "postgresql":  # there about a third of the extra tasks lose a race
        assert returned[StepStatus.RUNNING] > 0
