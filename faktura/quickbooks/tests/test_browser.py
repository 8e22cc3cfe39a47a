"""Settings → QuickBooks in Chromium (QB-14): a super admin connects a company through the
sandbox's consent page, lands back connected, and chooses a default from the company's
accounts; with product sync present, starts a sync and sees what it did."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from faktura.accounts.models import User
from faktura.quickbooks.models import QuickBooksConnection
from tests.qbo import Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_super_admin_connects_a_company_and_chooses_its_income_account(
    sandbox: Sandbox, live_server: Any, sign_in: Any, admin_user: User
) -> None:  # SPEC QB-14
    page = sign_in(admin_user)
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="QuickBooks").click()
    expect(page.get_by_text("No QuickBooks company is connected yet.")).to_be_visible()

    page.get_by_role("button", name="Connect a QuickBooks company").click()
    # The sandbox's consent page, as Intuit's would be: pick or create the company.
    expect(page.get_by_role("heading", name="Connect to QuickBooks (sandbox)")).to_be_visible()
    page.locator("input[name=realm_id][value=new]").check()  # other tests' companies are listed
    page.get_by_label("New company name").fill("Lofoten Supplies")
    page.get_by_role("button", name="Connect", exact=True).click()

    expect(page.get_by_text("Lofoten Supplies is connected.")).to_be_visible()
    connection = QuickBooksConnection.objects.get()
    assert page.url == f"{live_server.url}/settings/quickbooks/{connection.pk}/"
    expect(page.get_by_test_id("status")).to_have_text("Connected")
    expect(page.get_by_role("link", name="Open in QuickBooks")).to_have_attribute(
        "href", f"{sandbox.base_url}/companies/{connection.realm_id}"
    )

    page.get_by_label("Income account for new items").select_option(label="Services")
    page.get_by_role("button", name="Save defaults").click()
    expect(page.get_by_text("The QuickBooks defaults are saved.")).to_be_visible()
    expect(page.get_by_label("Income account for new items")).to_have_value("1")
    connection.refresh_from_db()
    assert connection.income_account_name == "Services"

    page.get_by_role("button", name="Sync products").click()
    run = page.get_by_test_id("sync-run").first
    expect(run).to_contain_text(re.compile("Done|Failed"), timeout=30_000)
    expect(run.get_by_test_id("imported")).to_have_text(re.compile(r"\d+"))
