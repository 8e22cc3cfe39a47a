"""A QuickBooks action in the workflow editor, in Chromium, as the seed describes it: a super admin
builds a deal workflow triggered by deals named "Payment Link" (QB-8), adds "Create QuickBooks
invoice" at the "+", picks the connected company and its payment terms (read live from
QuickBooks), saves, reviews and publishes, turns it on; a matching deal makes the invoice in
qbo_sandbox and the action log shows its QuickBooks id."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from faktura.accounts.models import User
from faktura.core.actors import Actor
from faktura.crm import services as crm
from faktura.listings.tests.browsing import choose, filter_row
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.models import QuickBooksConnection
from faktura.sales import services as sales
from faktura.workflows.models import StepRun, StepStatus
from faktura.workflows.tests.conftest import read_feed
from faktura.workflows.tests.test_editor_browser import open_panel_choice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def htmx_idle(page: Page) -> None:
    """Wait until htmx has swapped and settled what it loaded: a select changed before the new
    content is processed sends nothing."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


# SPEC QB-1
# SPEC QB-6
# SPEC QB-8
def test_build_a_quickbooks_invoice_workflow_and_watch_it_create_the_invoice(
    live_server: Any, sign_in: Any, admin_user: User, income: QuickBooksConnection
) -> None:
    page = sign_in(admin_user)
    page.goto(f"{live_server.url}/workflows/")
    page.get_by_role("link", name="Create workflow").click()
    dialog = page.locator("#dialog")
    dialog.get_by_label("Workflow name").fill("Payment links to QuickBooks")
    dialog.get_by_label("Records it enrolls").select_option(label="Deals")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_test_id("workflow-name")).to_contain_text("Payment links to QuickBooks")

    # Trigger (QB-8): deal name is any of "Payment Link".
    page.get_by_role("button", name="Edit triggers").click()
    expect(page.locator("#trigger-form")).to_have_class(re.compile(r"\bshow\b"))
    choose(page, 0, "Deal stage", "dealstage")
    choose(page, 0, "Deal name", "dealname", operator=("is any of", "any_of"))
    htmx_idle(page)
    value = filter_row(page, 0).get_by_label("Value")
    value.fill("Payment Link")
    expect(value).to_have_value("Payment Link")
    expect(filter_row(page, 0)).to_have_attribute("data-operator", "any_of")
    page.get_by_role("button", name="Save triggers").click()
    expect(page.get_by_test_id("trigger-summary")).to_contain_text(
        "Deal name is any of Payment Link"
    )

    # The action, from the "QuickBooks Online" category of the side panel.
    open_panel_choice(page, "Add a step at position 1", "Create QuickBooks invoice")
    panel = page.locator("#step-panel")
    company = panel.get_by_label("QuickBooks company")
    terms = panel.get_by_label("Payment terms")
    expect(terms.locator("option")).to_have_text(["Choose…"])  # no company yet
    htmx_idle(page)
    company.select_option(label=income.company_name)
    # The company's terms, read from QuickBooks when the company is chosen.
    expect(terms.locator("option")).to_have_text(
        ["Choose…", "The customer's terms", "Due on receipt", "Net 10", "Net 15", "Net 30",
         "Net 60"]
    )  # fmt: skip
    terms.select_option(label="Net 30")
    panel.get_by_role("group", name=re.compile("Create the product")).get_by_label(
        "Yes", exact=True
    ).check()
    panel.get_by_role("button", name="Save").click()
    card = page.locator("[data-step]")
    expect(card).to_contain_text(f"QuickBooks company: {income.company_name}")
    expect(card).to_contain_text("Payment terms: Net 30")

    page.get_by_role("link", name="Review and publish").click()
    expect(dialog.get_by_test_id("publish-changes")).to_contain_text(
        "First version: Create QuickBooks invoice"
    )
    dialog.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert").first).to_contain_text("Version 1 is published")
    page.get_by_role("link", name="Turn on").click()
    dialog.get_by_role("button", name="Turn on").click()
    expect(page.get_by_test_id("workflow-state")).to_have_text("On")

    # A deal from a payment-link checkout; the clock reads the feed and the step runs.
    system = Actor.system("tests")
    buyer = crm.create_contact(
        actor=system, firstname="Grace", lastname="Hopper", email="grace@example.com"
    )
    seats = [{"name": "Workshop seat", "unit_price": "250.00", "quantity": "2"}]
    sales.create_deal(actor=system, dealname="Payment Link", contacts=[buyer], lines=seats)
    read_feed()

    done = StepRun.objects.get()
    assert done.status == StepStatus.SUCCEEDED, done.error
    (invoice,) = QuickBooksClient(income).query("SELECT * FROM Invoice")
    assert invoice["SalesTermRef"]["value"] == "3"
    assert done.result["quickbooks_id"] == invoice["Id"]

    page.get_by_role("link", name=re.compile("Action logs")).click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Create QuickBooks invoice")
    expect(rows.first).to_contain_text("Succeeded")
    expect(page.locator("body")).to_contain_text(invoice["Id"])
