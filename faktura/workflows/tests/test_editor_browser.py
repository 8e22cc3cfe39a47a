"""The workflow editor in Chromium, as a super admin uses it: create a deal workflow, set its
trigger with the filter builder, add an action with the "+" button and the side panel, review
and publish, turn it on, and see the action's log once a matching deal is created."""

import re

import pytest
from playwright.sync_api import Page, expect

from faktura.core.actors import Actor
from faktura.crm.models import Activity
from faktura.listings.tests.browsing import choose, filter_row
from faktura.sales import services as sales
from faktura.workflows import services
from faktura.workflows.models import Workflow
from faktura.workflows.tests.conftest import read_feed, where

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_panel_choice(page: Page, position: str, choice: str) -> None:
    """Press a "+" and pick what to add; the side panel slides in with its form."""
    page.get_by_role("button", name=position).click()
    panel = page.locator("#step-panel")
    expect(panel).to_have_class(re.compile(r"\bshow\b"))
    panel.get_by_role("button", name=re.compile(choice)).click()


# SPEC WF-1 WF-2 WF-3 WF-4
def test_build_publish_and_watch_a_deal_workflow(sign_in, live_server, admin_user):
    page = sign_in(admin_user)
    page.goto(f"{live_server.url}/workflows/")
    page.get_by_role("link", name="Create workflow").click()
    dialog = page.locator("#dialog")
    dialog.get_by_label("Workflow name").fill("Big deals get a note")
    dialog.get_by_label("Records it enrolls").select_option(label="Deals")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_test_id("workflow-name")).to_contain_text("Big deals get a note")
    expect(page.get_by_test_id("workflow-state")).to_have_text("Off")

    # Trigger: deal name contains "Big", with the index pages' filter builder.
    page.get_by_role("button", name="Edit triggers").click()
    expect(page.locator("#trigger-form")).to_have_class(re.compile(r"\bshow\b"))
    # A new row starts on Deal name: pick another property first, so every pick redraws.
    page.get_by_role("button", name="Add filter").click()
    choose(page, 0, "Deal stage", "dealstage")
    choose(page, 0, "Deal name", "dealname", operator=("contains", "contains"))
    filter_row(page, 0).get_by_label("Value").fill("Big")
    page.get_by_role("button", name="Save triggers").click()
    expect(page.get_by_test_id("trigger-summary")).to_contain_text(
        "Enroll deals that meet (Deal name contains Big)"
    )

    # An action at the first "+": configured in the side panel; a missing field is refused there.
    open_panel_choice(page, "Add a step at position 1", "Create a note")
    panel = page.locator("#step-panel")
    panel.get_by_role("button", name="Save").click()
    expect(panel.get_by_test_id("step-error")).to_contain_text("Note is required")
    panel.get_by_label("Note", exact=True).fill("Big deal {{ dealname }}: call the buyer.")
    panel.get_by_role("button", name="Save").click()
    expect(page.locator("[data-step]")).to_have_count(1)
    expect(page.get_by_test_id("step-title")).to_have_text("Create a note")

    # A delay before it, at the "+" above the note.
    open_panel_choice(page, "Add a step at position 1", "Delay")
    panel.get_by_label("Amount of time", exact=True).fill("2")
    panel.get_by_label("Unit").select_option("hours")
    panel.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("step-title")).to_have_text(["Delay", "Create a note"])
    expect(page.locator("[data-step]").first).to_contain_text("Wait 2 hours")
    # …and removed again from its panel.
    page.get_by_role("button", name="Edit Delay").click()
    page.once("dialog", lambda confirm: confirm.accept())
    panel.get_by_role("button", name="Remove step").click()
    expect(page.get_by_test_id("step-title")).to_have_text(["Create a note"])

    # Review and publish, then turn on.
    page.get_by_role("link", name="Review and publish").click()
    expect(dialog.get_by_test_id("publish-changes")).to_contain_text("First version: Create a note")
    dialog.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert").first).to_contain_text("Version 1 is published")
    page.get_by_role("link", name="Turn on").click()
    expect(dialog.get_by_test_id("existing-count")).to_have_text("0")
    dialog.get_by_role("button", name="Turn on").click()
    expect(page.get_by_test_id("workflow-state")).to_have_text("On")

    # A matching deal is created; the clock reads the feed and the action runs.
    deal = sales.create_deal(actor=Actor.system("tests"), dealname="Big Corp renewal")
    sales.create_deal(actor=Actor.system("tests"), dealname="Small fry")
    read_feed()
    note = Activity.objects.get()
    assert note.body == "Big deal Big Corp renewal: call the buyer."

    page.get_by_role("link", name=re.compile("Action logs")).click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Big Corp renewal")
    expect(rows.first).to_contain_text("Create a note")
    expect(rows.first).to_contain_text("Succeeded")
    page.get_by_role("link", name=re.compile("Enrollment history")).click()
    expect(page.locator("table tbody tr")).to_have_count(1)
    assert Workflow.objects.get().enrollments.get().object_id == deal.pk


# SPEC WF-1
def test_the_payment_terms_follow_the_ledger_company_chosen(sign_in, live_server, admin_user):
    """A field whose choices depend on another's value (ledger_actions.py, shaped like the
    QuickBooks invoice action): changing the company draws only the terms again."""
    workflow = services.create_workflow(
        actor=Actor.for_user(admin_user),
        name="Ledger invoices",
        object_type="deal",
        definition={"triggers": {"filters": where("dealname", "contains", "Big"), "events": []}},
    )
    page = sign_in(admin_user)
    page.goto(f"{live_server.url}/workflows/{workflow.pk}/")
    open_panel_choice(page, "Add a step at position 1", "Create a ledger invoice")
    panel = page.locator("#step-panel")
    company = panel.get_by_label("Ledger company")
    terms = panel.get_by_label("Payment terms")
    expect(terms.locator("option")).to_have_text(["Choose…"])

    panel.get_by_label("Custom lines").check()
    company.select_option(label="Acme Inc.")
    expect(terms.locator("option")).to_have_text(["Choose…", "Net 15", "Net 30"])
    terms.select_option(label="Net 30")
    company.select_option(label="Offline Corp")
    expect(panel.get_by_test_id("field-error")).to_have_text(
        "Could not read the payment terms from Offline Corp: the connection timed out; try again."
    )
    company.select_option(label="Globex LLC")
    expect(terms.locator("option")).to_have_text(["Choose…", "Due on receipt"])
    expect(panel.get_by_test_id("field-error")).to_have_count(0)
    expect(panel.get_by_label("Custom lines")).to_be_checked()  # only the terms were redrawn

    terms.select_option(label="Due on receipt")
    panel.get_by_label("Yes", exact=True).check()
    panel.get_by_role("button", name="Save").click()
    card = page.locator("[data-step]")
    expect(card).to_contain_text("Ledger company: Globex LLC")
    expect(card).to_contain_text("Payment terms: Due on receipt")
    expect(card).to_contain_text("Line items: Custom lines")
    expect(card).to_contain_text("Create missing products: Yes")
