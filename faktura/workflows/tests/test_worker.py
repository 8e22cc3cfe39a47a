"""The engine in db_worker, as it runs in production: steps queued to the database, a delay
deferred with run_after, a branch, in order."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from faktura.sales import services as sales
from faktura.workflows.models import EnrollmentStatus, StepRun, StepStatus
from faktura.workflows.tests.conftest import ran, read_feed, remember, where

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def work() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


# SPEC WF-4
def test_three_steps_with_a_delay_and_a_branch_run_in_order_in_the_worker(
    database_tasks, live_workflow, system
):
    branch = {
        "id": "b",
        "type": "branch",
        "branches": [{"label": "Big", "filters": where("dealname", "contains", "Big"),
                      "steps": [remember("big")]}],
        "otherwise": [remember("small")],
    }  # fmt: skip
    delay = {"id": "wait", "type": "delay", "config": {"kind": "duration", "minutes": 10}}
    live_workflow(
        "deal",
        [remember("first"), delay, branch, remember("last")],
        filters=where("dealstage", "any_of", "closedwon"),
    )
    big = sales.create_deal(actor=system, dealname="Big engine", dealstage="closedwon")

    read_feed()
    work()

    assert ran(big) == ["first"]
    waiting = StepRun.objects.get(step_id="wait")
    assert waiting.status == StepStatus.PENDING
    deferred = DBTaskResult.objects.get(status="READY")
    assert deferred.run_after == waiting.run_after
    assert waiting.run_after >= timezone.now() + dt.timedelta(minutes=9)

    # Ten minutes pass.
    past = timezone.now() - dt.timedelta(seconds=1)
    StepRun.objects.filter(pk=waiting.pk).update(run_after=past)
    DBTaskResult.objects.filter(pk=deferred.pk).update(run_after=past)
    work()

    assert ran(big) == ["first", "big", "last"]
    steps = StepRun.objects.filter(enrollment__object_id=big.pk).order_by("sequence")
    assert [s.step_id for s in steps] == ["first", "wait", "b", "big", "last"]
    assert all(s.status == StepStatus.SUCCEEDED for s in steps)
    assert steps[0].enrollment.status == EnrollmentStatus.COMPLETED
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
