"""Settings → Users in Chromium: a super admin invites a user, changes a role, and tries to step
down as the only super admin."""

import pytest
from playwright.sync_api import expect

from faktura.accounts.models import Role, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_super_admin_invites_changes_a_role_and_cannot_demote_themselves(
    sign_in, live_server, admin_user
):
    page = sign_in(admin_user)
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()

    invite = page.get_by_role("form", name="Invite a user")
    invite.get_by_label("Email").fill("ola@example.com")
    invite.get_by_label("First name").fill("Ola")
    invite.get_by_label("Role").select_option(label="User with invoice edit permission")
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("Invited ola@example.com")
    row = page.locator("tr[data-user='ola@example.com']")
    expect(row.get_by_test_id("status")).to_contain_text("Invitation pending")
    expect(row.get_by_test_id("role")).to_have_text("User with invoice edit permission")

    row.get_by_role("link", name="Change the role of Ola").click()
    dialog = page.locator("#dialog")
    expect(dialog.get_by_role("button", name="Save role")).to_be_visible()
    # The dialog's content may still be swapped in: a radio checked before that is replaced.
    page.wait_for_load_state("networkidle")
    dialog.get_by_label("View only").check()
    dialog.get_by_role("button", name="Save role").click()
    expect(page.get_by_role("alert")).to_contain_text("Ola is now: View only.")
    expect(row.get_by_test_id("role")).to_have_text("View only")
    assert User.objects.get(email="ola@example.com").role == Role.VIEWER

    me = page.locator("tr[data-user='admin']")
    reason = "Faktura needs at least one active super admin: make another user a super admin first."
    expect(me.get_by_role("button", name="Deactivate admin")).to_be_disabled()
    expect(me.get_by_test_id("refusal")).to_have_text(reason)
    me.get_by_role("link", name="Change the role of admin").click()
    expect(dialog.get_by_test_id("refusal")).to_have_text(reason)
    expect(dialog.get_by_label("View only")).to_be_disabled()
    expect(dialog.get_by_role("button", name="Save role")).to_have_count(0)
    admin_user.refresh_from_db()
    assert admin_user.role == Role.SUPER_ADMIN
