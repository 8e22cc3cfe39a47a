"""The shell in Chromium: logging in and out, the navigation bar, and the settings page."""

import pytest
from playwright.sync_api import expect

from faktura.accounts.services import get_account_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_user_logs_in_and_out_through_the_form(live_server, page, editor_user):
    page.goto(f"{live_server.url}/contacts/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/contacts/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("didn't match")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("editor")
    nav = page.get_by_role("navigation", name="Main")
    for section in ("Contacts", "Companies", "Deals", "Quotes", "Products", "Invoices", "Payments"):
        expect(nav.get_by_role("link", name=section)).to_be_visible()
    # Settings are for super admins only.
    expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/login/")


def test_super_admin_changes_settings_and_sees_refusals(sign_in, live_server, admin_user):
    page = sign_in(admin_user)
    page.goto(f"{live_server.url}/settings/")
    page.get_by_label("Company name").fill("Fjord Tools AS")
    page.get_by_label("Allow deleting invoices").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("Settings saved.")
    assert get_account_settings().company_name == "Fjord Tools AS"
    assert get_account_settings().allow_deleting_invoices is True

    page.get_by_label("Company country").fill("N1")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("two-letter ISO code")
    assert get_account_settings().company_country == "US"


def test_settings_page_is_403_for_users_who_are_not_super_admins(client, editor_user, viewer_user):
    for user in (editor_user, viewer_user):
        client.force_login(user)
        assert client.get("/settings/").status_code == 403
        response = client.post("/settings/", {"company_name": "Hijacked"})
        assert response.status_code == 403
        assert "Only a super admin" in response.content.decode()
    assert get_account_settings().company_name == "My Company"
