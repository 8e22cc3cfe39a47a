"""The "Workflows" card on record pages (WF-4): contacts, companies, deals, quotes, invoices and
payments show the workflows the record is (or was) enrolled in and the step it is on; only
users who may manage workflows get a link to the workflow."""

import html
import re
from collections.abc import Callable
from typing import Any

import pytest

from faktura.payments import services as payments
from faktura.workflows import services
from faktura.workflows.models import Workflow
from faktura.workflows.tests.conftest import FAILURES, remember

pytestmark = pytest.mark.django_db

CREATED = [{"event": "created"}]


def panel(response: Any) -> str:
    """The Workflows card of a page, as a person reads it; "" when the page has none."""
    assert response.status_code == 200
    found = re.search(
        r'<section[^>]*data-testid="record-workflows".*?</section>',
        response.content.decode(),
        re.S,
    )
    return found.group(0) if found else ""


def text(card: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())


@pytest.fixture
def records(contact, company, deal, quote, open_invoice, system) -> dict[str, Any]:
    """One record of each type a workflow can be for."""
    payment = payments.create_manual_payment(
        actor=system, amount="75.00", currency="USD", contact=contact, reference="WIRE-9"
    )
    return {
        "contact": contact,
        "company": company,
        "deal": deal,
        "quote": quote,
        "invoice": open_invoice,
        "payment": payment,
    }


@pytest.fixture
def enrolled(live_workflow, admin, django_capture_on_commit_callbacks) -> Callable[..., Workflow]:
    """enrolled(object_type, record, name) → a workflow the record was enrolled in by hand and
    whose steps have run."""

    def enroll(object_type: str, record: Any, name: str, steps: list[Any]) -> Workflow:
        workflow = live_workflow(object_type, steps, events=CREATED, name=name)
        with django_capture_on_commit_callbacks(execute=True):
            services.enroll_record(workflow, record.pk, actor=admin)
        return workflow

    return enroll


# SPEC WF-4
@pytest.mark.parametrize(
    "object_type", ["contact", "company", "deal", "quote", "invoice", "payment"]
)
def test_each_record_page_lists_the_workflows_its_record_is_enrolled_in(
    records, enrolled, signed_in, admin_user, object_type
):
    record = records[object_type]
    FAILURES["stuck"] = ["fatal"]
    done = enrolled(object_type, record, f"Welcome {object_type}", [remember("s1")])
    stuck = enrolled(object_type, record, f"Chase {object_type}", [remember("s1", "stuck")])
    # A record of another type (often with the same id) is in a workflow of its own.
    other_type = "company" if object_type == "contact" else "contact"
    enrolled(other_type, records[other_type], "Another type", [remember("s1")])

    card = panel(signed_in(admin_user).get(record.get_absolute_url()))

    shown = text(card)
    assert re.search(
        rf"Chase {object_type} Stopped at a failed action Enrolled \w+ \d+, \d{{4}} \d\d:\d\d "
        r"Stopped at: Remember \(tests\) \(failed\)",
        shown,
    )
    assert re.search(
        rf"Welcome {object_type} Completed Enrolled .*? "
        r"Last step: Remember \(tests\) \(succeeded\)",
        shown,
    )
    assert shown.index(f"Chase {object_type}") < shown.index(f"Welcome {object_type}")  # newest
    assert f'href="/workflows/{stuck.pk}/logs/?record=%23{record.pk}"' in card
    assert f'href="/workflows/{done.pk}/logs/?record=%23{record.pk}"' in card
    assert "Another type" not in shown


# SPEC WF-4
@pytest.mark.parametrize("role", ["editor_user", "viewer_user"])
def test_users_who_cannot_manage_workflows_see_the_names_without_a_link(
    deal, enrolled, signed_in, request, role
):
    enrolled("deal", deal, "Won deals", [remember("s1")])

    card = panel(signed_in(request.getfixturevalue(role)).get(deal.get_absolute_url()))

    assert "Won deals Completed" in text(card)
    assert "/workflows/" not in card


# SPEC WF-4
def test_a_record_in_no_workflow_says_so_and_a_product_page_has_no_card(
    deal, product, signed_in, editor_user
):
    client = signed_in(editor_user)
    assert text(panel(client.get(deal.get_absolute_url()))) == (
        "Workflows Not enrolled in any workflow."
    )
    assert panel(client.get(product.get_absolute_url())) == ""


# SPEC WF-4
def test_the_card_shows_the_step_a_running_enrollment_waits_on(
    deal, enrolled, signed_in, admin_user
):
    delay = {"id": "wait", "type": "delay", "config": {"kind": "until_weekday", "weekdays": [0],
                                                       "time": "08:30"}}  # fmt: skip
    enrolled("deal", deal, "Monday follow-up", [delay, remember("s1")])

    shown = text(panel(signed_in(admin_user).get(deal.get_absolute_url())))

    assert re.search(
        r"Monday follow-up Running Enrolled .*? On: Delay until Mon, \w+ \d+, \d{4} 08:30 "
        r"\(waiting to run\)",
        shown,
    )
