"""The Actions menu in Chromium: void, clone, delete, the disabled items with their reasons,
copy link, and the buyer's page opened without a login (INV-4, INV-15…INV-23)."""

import pytest
from playwright.sync_api import Page, expect

from faktura.invoices.models import Invoice, InvoiceStatus
from faktura.invoices.tests.browsing import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def item(page: Page, key: str):
    return page.locator(f'[data-action="{key}"]')


# SPEC INV-23
def test_voided_after_confirmation_and_record_payment_then_disabled_with_the_reason(
    sign_in, live_server, editor_user, open_invoice
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")
    actions(page).get_by_role("link", name="Void").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_contain_text("It can no longer take a payment")
    expect(dialog).to_contain_text("This cannot be undone.")

    dialog.get_by_role("button", name="Void invoice").click()

    expect(page.get_by_role("alert")).to_contain_text("Invoice INV-1 is voided.")
    expect(page.get_by_label("Status")).to_contain_text("Voided")
    actions(page)
    expect(item(page, "record_payment")).to_be_disabled()
    expect(item(page, "record_payment")).to_contain_text(
        "Invoice INV-1 is voided and can no longer take a payment."
    )
    expect(item(page, "void")).to_contain_text("already voided")
    assert Invoice.objects.get().status == InvoiceStatus.VOIDED


# SPEC INV-4
# SPEC INV-20
def test_clone_opens_a_new_draft_with_the_same_lines(
    sign_in, live_server, editor_user, open_invoice
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")

    actions(page).get_by_role("button", name="Clone").click()

    expect(page.get_by_role("alert")).to_contain_text("This new draft is a clone of INV-1")
    expect(page.get_by_role("heading", name="Draft invoice")).to_be_visible()
    expect(page.get_by_test_id("invoice-sheet")).to_contain_text("Consulting hour")
    expect(page.get_by_test_id("balance-due")).to_contain_text("$250.00")
    clone = Invoice.objects.exclude(pk=open_invoice.pk).get()
    expect(page).to_have_url(f"{live_server.url}/invoices/{clone.pk}/")


# SPEC INV-4
def test_draft_deleted_after_confirmation_goes_back_to_the_invoices(
    sign_in, live_server, editor_user, draft_invoice
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{draft_invoice.pk}/")
    actions(page).get_by_role("link", name="Delete").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_contain_text("no number is lost")

    dialog.get_by_role("button", name="Delete invoice").click()

    expect(page).to_have_url(f"{live_server.url}/invoices/")
    expect(page.get_by_role("alert")).to_contain_text(
        f"Draft invoice {draft_invoice.pk} was deleted."
    )
    assert not Invoice.objects.exists()


# SPEC INV-21
# SPEC INV-22
def test_unpaid_finalized_invoice_deleted_when_the_setting_is_on_leaving_a_number_gap(
    sign_in, live_server, editor_user, open_invoice, account
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")
    actions(page)
    expect(item(page, "delete")).to_be_disabled()
    expect(item(page, "delete")).to_contain_text("Deleting finalized invoices is turned off.")

    account(allow_deleting_invoices=True)
    page.reload()
    actions(page).get_by_role("link", name="Delete").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_contain_text("Its number INV-1 is never used again")
    expect(dialog).to_contain_text("This cannot be undone.")
    dialog.get_by_role("button", name="Delete invoice").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Invoice INV-1 was deleted. Its number INV-1 will not be used again."
    )
    assert not Invoice.objects.exists()


# SPEC INV-18
# SPEC INV-19
def test_menu_shows_refused_items_disabled_with_their_reasons(
    sign_in, live_server, editor_user, open_invoice
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")
    actions(page)

    expect(item(page, "edit")).to_be_disabled()
    expect(item(page, "edit").locator(".reason")).to_contain_text(
        "Editing finalized invoices is turned off."
    )
    enabled = ("record_payment", "view", "history", "copy_link", "send", "download", "clone")
    for key in (*enabled, "void"):
        expect(item(page, key)).to_be_enabled()


# SPEC INV-17
def test_copy_link_flashes_the_public_url(sign_in, live_server, editor_user, open_invoice, account):
    account(invoice_public_domain="https://billing.example.com")
    page = sign_in(editor_user)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")

    actions(page).get_by_role("button", name="Copy link").click()

    expect(page.get_by_role("alert")).to_contain_text(
        f"Link copied: https://billing.example.com/i/{open_invoice.public_token}/"
    )


# SPEC INV-15
# SPEC INV-17
# SPEC INV-31
def test_buyer_page_opens_in_a_new_tab_and_without_a_login_in_another_browser(
    sign_in, live_server, editor_user, open_invoice, browser
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")
    with page.expect_popup() as opened:
        actions(page).get_by_role("link", name="View invoice").click()
    tab = opened.value
    expect(tab.get_by_test_id("invoice-number")).to_have_text("INV-1")

    stranger = browser.new_context()
    try:
        buyer = stranger.new_page()
        buyer.goto(f"{live_server.url}/i/{open_invoice.public_token}/")
        expect(buyer.get_by_test_id("invoice-number")).to_have_text("INV-1")
        expect(buyer.get_by_text("Ada Lovelace")).to_be_visible()
        expect(buyer.get_by_test_id("balance-due")).to_contain_text("$250.00")
        expect(buyer.get_by_role("navigation", name="Main")).to_have_count(0)
        expect(buyer.get_by_role("button", name="Actions")).to_have_count(0)
        response = buyer.goto(f"{live_server.url}/i/{open_invoice.public_token}x/")
        assert response is not None
        assert response.status == 404
    finally:
        stranger.close()


def test_viewer_sees_no_controls_that_change_the_invoice(
    sign_in, live_server, viewer_user, make_invoice
):
    draft = make_invoice()
    page = sign_in(viewer_user)
    page.goto(f"{live_server.url}/invoices/{draft.pk}/")

    expect(page.get_by_test_id("invoice-sheet")).to_contain_text("Consulting hour")
    expect(page.get_by_label("Invoice owner")).to_have_count(0)
    expect(page.get_by_role("link", name="Add contact")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove contact Ada Lovelace")).to_have_count(0)
    expect(page.get_by_role("button", name="Finalize")).to_be_disabled()
    actions(page)
    for key in ("edit", "clone", "delete"):
        expect(item(page, key)).to_be_disabled()
        expect(item(page, key)).to_contain_text("You have view-only access to invoices.")
    expect(item(page, "history")).to_be_enabled()
