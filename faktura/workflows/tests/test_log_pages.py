"""The workflow page's "Enrollment history" and "Action logs" tabs and Retry (WF-4), through
Django's test client: the rows, the filters, paging, and who may retry what."""

import html
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone

from faktura.sales import services as sales
from faktura.workflows.models import Enrollment, EnrollmentStatus, StepRun, StepStatus
from faktura.workflows.tests.conftest import FAILURES, ran, read_feed, remember, where

pytestmark = pytest.mark.django_db

WON = where("dealstage", "any_of", "closedwon")
DELAY = {"id": "wait", "type": "delay", "config": {"kind": "duration", "minutes": 90}}
BRANCH = {
    "id": "size",
    "type": "branch",
    "branches": [{"label": "Big", "filters": where("dealname", "contains", "Big"),
                  "steps": [remember("big")]}],
    "otherwise": [remember("small")],
}  # fmt: skip
AT = r"\w{3} \d{1,2}, \d{4} \d\d:\d\d"  # a moment as the pages show it: "Nov 23, 2026 10:00"


def won_deal(system, name):
    return sales.create_deal(actor=system, dealname=name, dealstage="closedwon")


def text_of(response) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def rows_of(response, kind: str) -> list[int]:
    """The ids of the table's rows, in page order (data-enrollment / data-step-run)."""
    return [int(pk) for pk in re.findall(rf'<tr data-{kind}="(\d+)"', response.content.decode())]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# SPEC WF-4
def test_enrollment_history_lists_each_record_newest_first_with_its_status_and_step(
    live_workflow, system, signed_in, admin_user, run_feed
):
    FAILURES["s1"] = ["fatal"]
    workflow = live_workflow("deal", [remember("s1"), remember("s2")], filters=WON)
    stuck = won_deal(system, "Stuck engine")
    run_feed()
    done = won_deal(system, "Finished engine")
    run_feed()

    page = signed_in(admin_user).get(f"/workflows/{workflow.pk}/enrollments/")

    assert page.status_code == 200
    newest, oldest = (Enrollment.objects.get(object_id=r.pk).pk for r in (done, stuck))
    assert rows_of(page, "enrollment") == [newest, oldest]
    text = text_of(page)
    assert re.search(
        rf"Finished engine Created, meeting the trigger criteria 1 Completed {AT} {AT} "
        r"Remember \(tests\) Succeeded",
        text,
    )
    assert re.search(
        rf"Stuck engine Created, meeting the trigger criteria 1 Stopped at a failed action {AT} — "
        r"Remember \(tests\) Failed",
        text,
    )
    assert f'href="/deals/{done.pk}/"' in page.content.decode()


# SPEC WF-4
def test_enrollment_history_filters_by_status_and_by_record(
    live_workflow, system, signed_in, admin_user, run_feed
):
    FAILURES["s1"] = ["fatal"]
    workflow = live_workflow("deal", [remember("s1")], filters=WON)
    stuck = won_deal(system, "Stuck engine")
    run_feed()
    done = won_deal(system, "Finished engine")
    run_feed()
    client = signed_in(admin_user)
    url = f"/workflows/{workflow.pk}/enrollments/"
    stuck_row = Enrollment.objects.get(object_id=stuck.pk).pk
    done_row = Enrollment.objects.get(object_id=done.pk).pk

    assert rows_of(client.get(url, {"status": "failed"}), "enrollment") == [stuck_row]
    assert rows_of(client.get(url, {"status": "completed"}), "enrollment") == [done_row]
    assert rows_of(client.get(url, {"record": "finished"}), "enrollment") == [done_row]
    assert rows_of(client.get(url, {"record": f"#{stuck.pk}"}), "enrollment") == [stuck_row]
    nothing = client.get(url, {"record": "Nobody"})
    assert rows_of(nothing, "enrollment") == []
    assert "No enrollments match these filters." in text_of(nothing)

    unknown = client.get(url, {"status": "paused"})
    assert sorted(rows_of(unknown, "enrollment")) == sorted([stuck_row, done_row])
    assert messages_of(unknown) == [
        "“paused” is not an enrollment status; choose one of: Running, Completed, "
        "Stopped at a failed action, Unenrolled."
    ]


# SPEC WF-4
def test_enrollment_history_pages_fifty_at_a_time_newest_first(
    live_workflow, system, signed_in, admin_user
):
    for number in range(55):
        won_deal(system, f"Engine {number}")
    workflow = live_workflow("deal", [remember("s1")], filters=WON, enroll_existing=True)
    newest_first = list(
        Enrollment.objects.filter(workflow=workflow).order_by("-pk").values_list("pk", flat=True)
    )
    client = signed_in(admin_user)

    first = client.get(f"/workflows/{workflow.pk}/enrollments/")
    assert rows_of(first, "enrollment") == newest_first[:50]
    older = re.search(r'href="([^"]+)" rel="next"', first.content.decode())
    assert older
    assert 'rel="prev"' not in first.content.decode()

    second = client.get(html.unescape(older.group(1)))
    assert rows_of(second, "enrollment") == newest_first[50:]
    assert 'rel="next"' not in second.content.decode()
    newer = re.search(r'href="([^"]+)" rel="prev"', second.content.decode())
    assert newer
    assert rows_of(client.get(html.unescape(newer.group(1))), "enrollment") == newest_first[:50]

    damaged = client.get(f"/workflows/{workflow.pk}/enrollments/", {"older_than": "x1"})
    assert rows_of(damaged, "enrollment") == newest_first[:50]
    assert messages_of(damaged) == ["The page link is damaged; showing the newest rows instead."]


# SPEC WF-4
def test_action_log_shows_when_record_step_status_attempts_input_and_result_or_error(
    live_workflow, system, signed_in, admin_user, run_feed
):
    FAILURES["broken"] = ["fatal"]
    workflow = live_workflow(
        "deal", [remember("s1", "first"), BRANCH, remember("s2", "broken")], filters=WON
    )
    big = won_deal(system, "Big engine")
    run_feed()

    page = signed_in(admin_user).get(f"/workflows/{workflow.pk}/logs/")

    runs = StepRun.objects.filter(enrollment__object_id=big.pk).order_by("-pk")
    assert rows_of(page, "step-run") == [r.pk for r in runs]
    assert [r.step_id for r in runs] == ["s2", "big", "size", "s1"]
    text = text_of(page)
    failed = "Big engine Remember (tests) Failed 1 Label broken broken could not run (fatal). Retry"
    assert failed in text
    assert "If/then branch (1 branch): took “Big” Succeeded 1 — Branch Big" in text
    assert "Remember (tests) Succeeded 1 Label first Label first" in text
    assert page.content.decode().count('action="/workflows/steps/') == 1  # Retry: the failure


# SPEC WF-4
def test_action_log_says_until_when_a_delay_waits(
    live_workflow, system, signed_in, admin_user, run_feed
):
    workflow = live_workflow("deal", [DELAY, remember("after")], filters=WON)
    won_deal(system, "Engine")
    run_feed()
    waiting = StepRun.objects.get(step_id="wait")
    assert waiting.status == StepStatus.PENDING
    assert waiting.run_after is not None

    text = text_of(signed_in(admin_user).get(f"/workflows/{workflow.pk}/logs/"))

    due = timezone.localtime(waiting.run_after)
    assert f"Due {dateformat.format(due, 'M j, Y H:i:s')}" in text
    until = dateformat.format(due, "D, M j, Y H:i")
    assert f"Engine Delay until {until} Waiting to run 0 Delay Wait 1 hour 30 minutes —" in text


# SPEC WF-4
def test_action_log_filters_failed_only_and_by_record(
    live_workflow, system, signed_in, admin_user, run_feed
):
    FAILURES["s1"] = ["fatal"]
    workflow = live_workflow("deal", [remember("s1"), remember("s2")], filters=WON)
    stuck = won_deal(system, "Stuck engine")
    run_feed()
    done = won_deal(system, "Finished engine")
    run_feed()
    client = signed_in(admin_user)
    url = f"/workflows/{workflow.pk}/logs/"
    failed = StepRun.objects.get(status=StepStatus.FAILED)
    done_runs = list(
        StepRun.objects.filter(enrollment__object_id=done.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
    )

    assert rows_of(client.get(url, {"failed": "1"}), "step-run") == [failed.pk]
    assert rows_of(client.get(url, {"record": "finished"}), "step-run") == done_runs
    assert rows_of(client.get(url, {"record": str(done.pk)}), "step-run") == done_runs
    assert rows_of(client.get(url, {"record": f"#{stuck.pk}", "failed": "1"}), "step-run") == [
        failed.pk
    ]
    assert rows_of(client.get(url, {"record": "finished", "failed": "1"}), "step-run") == []


# SPEC WF-4
def test_a_page_of_the_log_takes_the_same_queries_however_many_rows(
    live_workflow, system, signed_in, admin_user, run_feed
):
    workflow = live_workflow("deal", [remember("s1"), remember("s2")], filters=WON)
    won_deal(system, "Engine 1")
    run_feed()
    client = signed_in(admin_user)

    def queries(url: str) -> int:
        client.get(url)  # the session and user are cached after the first request
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = (queries(f"/workflows/{workflow.pk}/logs/"),
           queries(f"/workflows/{workflow.pk}/enrollments/"))  # fmt: skip
    for number in range(2, 8):
        won_deal(system, f"Engine {number}")
    run_feed()
    many = (queries(f"/workflows/{workflow.pk}/logs/"),
            queries(f"/workflows/{workflow.pk}/enrollments/"))  # fmt: skip

    assert StepRun.objects.count() == 14
    assert many == few


# SPEC WF-4
def test_retry_queues_the_failed_action_again_and_returns_to_the_filtered_log(
    live_workflow, system, signed_in, admin_user, run_feed, django_capture_on_commit_callbacks
):
    FAILURES["s1"] = ["fatal"]
    workflow = live_workflow("deal", [remember("s1"), remember("s2")], filters=WON)
    record = won_deal(system, "Stuck engine")
    run_feed()
    failed = StepRun.objects.get(step_id="s1")
    assert failed.enrollment.status == EnrollmentStatus.FAILED

    with django_capture_on_commit_callbacks() as queued:
        answer = signed_in(admin_user).post(
            f"/workflows/steps/{failed.pk}/retry/", {"failed": "1", "record": "stuck"}
        )

    assert answer.status_code == 302
    assert answer["Location"] == f"/workflows/{workflow.pk}/logs/?record=stuck&failed=1"
    assert messages_of(answer) == [
        "The action will run again for Stuck engine in a moment; the steps after it follow in "
        "order."
    ]
    failed.refresh_from_db()
    assert (failed.status, failed.enrollment.status) == (
        StepStatus.PENDING,
        EnrollmentStatus.ACTIVE,
    )
    assert ran(record) == []

    with django_capture_on_commit_callbacks(execute=True):
        for task in queued:  # the worker picks up the queued step
            task()

    assert ran(record) == ["s1", "s2"]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (StepStatus.SUCCEEDED, 2)
    assert failed.enrollment.status == EnrollmentStatus.COMPLETED


# SPEC WF-4
def test_retry_is_refused_for_a_step_that_did_not_fail(
    live_workflow, system, signed_in, admin_user, run_feed
):
    workflow = live_workflow("deal", [remember("s1")], filters=WON)
    won_deal(system, "Engine")
    run_feed()
    succeeded = StepRun.objects.get()

    answer = signed_in(admin_user).post(f"/workflows/steps/{succeeded.pk}/retry/")

    assert answer["Location"] == f"/workflows/{workflow.pk}/logs/"
    assert messages_of(answer) == ["Only a failed action can be retried."]
    succeeded.refresh_from_db()
    assert (succeeded.status, succeeded.attempts) == (StepStatus.SUCCEEDED, 1)


# SPEC WF-4
@pytest.mark.parametrize("role", ["editor_user", "viewer_user"])
def test_only_a_super_admin_sees_the_logs_and_retries(
    live_workflow, system, signed_in, run_feed, request, role
):
    FAILURES["s1"] = ["fatal"]
    workflow = live_workflow("deal", [remember("s1")], filters=WON)
    won_deal(system, "Engine")
    run_feed()
    failed = StepRun.objects.get()
    client = signed_in(request.getfixturevalue(role))

    assert client.get(f"/workflows/{workflow.pk}/logs/").status_code == 403
    assert client.get(f"/workflows/{workflow.pk}/enrollments/").status_code == 403
    refused = client.post(f"/workflows/steps/{failed.pk}/retry/")
    assert refused.status_code == 403
    assert "Only a super admin can create and change workflows." in refused.content.decode()
    failed.refresh_from_db()
    assert failed.status == StepStatus.FAILED


@pytest.mark.django_db(transaction=True)
# SPEC WF-4
def test_retry_from_the_log_runs_the_action_in_the_worker(
    live_workflow, system, signed_in, admin_user, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    FAILURES["s1"] = ["fatal"]
    live_workflow("deal", [remember("s1"), remember("s2")], filters=WON)
    record = won_deal(system, "Engine")
    read_feed()
    work()
    failed = StepRun.objects.get(step_id="s1")
    assert failed.status == StepStatus.FAILED

    signed_in(admin_user).post(f"/workflows/steps/{failed.pk}/retry/")
    work()

    assert ran(record) == ["s1", "s2"]
    assert Enrollment.objects.get().status == EnrollmentStatus.COMPLETED


def work() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
