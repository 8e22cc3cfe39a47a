"""A new user's first invoice, end to end in Chromium: log in, create a contact and a deal with
line items, invoice the deal, finalize it, find it with an AND/OR filter saved as a view, pick
columns, export the ticked row, take payments with both tabs of the dialog, delete a payment,
void, clone and delete, and open the buyer's page in a second browser without a login.

Each step is tested in depth next to its page; this test checks that they connect."""

import csv
import re

import pytest
from playwright.sync_api import Page, expect

from faktura.invoices.models import Invoice, InvoiceStatus
from faktura.invoices.tests.browsing import actions
from faktura.listings.tests.browsing import choose, filter_row, open_filters
from faktura.payments import services as payments
from faktura.sales.models import Deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def record_payment_dialog(page: Page):
    actions(page).get_by_role("link", name="Record payment").click()
    dialog = page.locator("#dialog")
    expect(dialog.get_by_role("heading", name="Record payment")).to_be_visible()
    return dialog


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("editor")


def create_contact_and_deal(page: Page) -> Deal:
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="Create contact").click()
    page.get_by_label("First name").fill("Hedy")
    page.get_by_label("Last name").fill("Lamarr")
    page.get_by_label("Email").fill("hedy@example.com")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("alert")).to_contain_text("Contact Hedy Lamarr created.")

    nav.get_by_role("link", name="Deals").click()
    page.get_by_role("link", name="Create deal").click()
    page.get_by_label("Deal name").fill("Frequency hopping")
    page.get_by_label("Contact", exact=True).select_option(label="Hedy Lamarr")
    lines = page.get_by_role("table", name="Line items").locator("[data-line]")
    lines.nth(0).get_by_label("Product").select_option(label="Support plan")
    expect(lines.nth(0).get_by_label("Unit price")).to_have_value("80.00")
    lines.nth(0).get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add line").click()
    lines.nth(1).get_by_label("Name").fill("Radio survey")
    lines.nth(1).get_by_label("Unit price").fill("900")
    page.get_by_role("button", name="Create deal").click()

    expect(page.get_by_role("alert")).to_contain_text("Deal Frequency hopping created.")
    # 2 × 80 + 10 % tax = 176, plus 900.
    expect(page.locator("[data-total]")).to_have_text("1,076.00 USD")
    expect(page.get_by_role("region", name="Contacts")).to_contain_text("Hedy Lamarr")
    return Deal.objects.get()


def filter_and_save_view(page: Page, invoice: Invoice) -> None:
    """Open AND total over 1,000, OR draft: finds the new invoice; saved as a shared view."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices").click()
    open_filters(page)
    group = page.locator("[data-filter-group]").first
    group.get_by_role("button", name="Add filter").click()
    choose(page, 0, "Invoice status", "hs_invoice_status")
    filter_row(page, 0).get_by_label("Open", exact=True).check()
    group.get_by_role("button", name="Add filter").click()
    choose(page, 1, "Total", "hs_amount_billed", operator=("is greater than", "gt"))
    filter_row(page, 1).get_by_label("Value").fill("1000")
    page.get_by_role("button", name="Add OR group").click()
    choose(page, 2, "Invoice status", "hs_invoice_status")
    filter_row(page, 2).get_by_label("Draft").check()
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("table.table-index tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{invoice.number}")

    page.get_by_role("button", name="Save view").click()
    dialog = page.locator("#dialog")
    dialog.get_by_label("View name").fill("Large open invoices")
    dialog.get_by_label("Share with the team").check()
    dialog.get_by_role("button", name="Save view").click()
    expect(page.get_by_role("alert")).to_contain_text("View 'Large open invoices' saved.")
    views = page.get_by_role("navigation", name="Views")
    expect(views.get_by_role("link", name="Large open invoices")).to_have_attribute(
        "aria-current", "page"
    )


def choose_columns_and_export(page: Page, invoice: Invoice) -> None:
    page.get_by_role("button", name="Edit columns").click()
    dialog = page.locator("#dialog")
    dialog.get_by_label("Contacts", exact=True).uncheck()
    dialog.get_by_label("Currency", exact=True).check()
    dialog.get_by_role("button", name="Apply columns").click()
    expect(page.locator("table.table-index thead th")).to_contain_text(["Currency"])

    page.get_by_label(f"Select {invoice.number}").check()
    expect(page.get_by_text("1 selected")).to_be_visible()
    page.get_by_role("button", name="Export").click()
    expect(dialog.get_by_label("Only the 1 ticked row")).to_be_checked()
    dialog.get_by_label("CSV", exact=True).check()
    dialog.get_by_role("button", name="Start export").click()
    expect(page.get_by_test_id("export-status")).to_contain_text("Ready: 1 row")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download").click()
    with open(info.value.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert "Currency" in rows[0]
    assert "Contacts" not in rows[0]
    assert len(rows) == 2
    assert rows[1][rows[0].index("Invoice number")] == invoice.number
    assert rows[1][rows[0].index("Currency")] == "USD"


def take_payments(page: Page, url: str, invoice: Invoice, editor) -> None:
    page.goto(url + invoice.get_absolute_url())
    dialog = record_payment_dialog(page)
    dialog.get_by_label("Amount (USD)").fill("76.00")
    dialog.get_by_label("Reference").fill("WIRE-7")
    dialog.get_by_role("button", name="Record payment").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Invoice {invoice.number} is now Partially paid, with 1,000.00 USD due."
    )

    # A payment that arrived without an invoice, applied from the "Use existing" tab.
    received = payments.create_manual_payment(actor=editor, amount="1000.00", currency="USD")
    dialog = record_payment_dialog(page)
    dialog.get_by_role("tab", name="Use existing").click()
    dialog.get_by_label("Find a payment").fill("1000")
    dialog.get_by_role("button", name="Search").click()
    dialog.get_by_role("button", name=f"Apply payment {received.pk}").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Invoice {invoice.number} is now Paid, with 0.00 USD due."
    )

    # Deleting the manual payment of 76 reopens the balance.
    page.get_by_role("link", name=re.compile(r"^Payment \d+")).first.click()
    expect(page.get_by_role("heading", name=re.compile(r"Payment \d+ · "))).to_be_visible()
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("link", name="Delete").click()
    page.locator("#dialog").get_by_role("button", name="Delete record").click()
    expect(page).to_have_url(re.compile(rf"/invoices/{invoice.pk}/$"))
    expect(page.get_by_role("alert")).to_contain_text("is now Partially paid")


def test_first_invoice_from_contact_to_buyer_page(
    live_server, page, browser, editor_user, editor, product, account
):  # SPEC INV-4
    # SPEC INV-11
    # SPEC INV-13
    # SPEC INV-23
    # SPEC INV-24
    # SPEC INV-25
    # SPEC INV-26
    # SPEC INV-31
    account(allow_deleting_invoices=True)
    log_in(page, live_server.url)
    deal = create_contact_and_deal(page)

    page.get_by_role("button", name="Create invoice").click()
    expect(page.get_by_role("alert")).to_contain_text("created from the deal Frequency hopping")
    expect(page.get_by_test_id("invoice-sheet")).to_contain_text("Hedy Lamarr")
    page.get_by_role("button", name="Finalize").click()
    expect(page.get_by_role("alert")).to_contain_text("is finalized.")
    invoice = Invoice.objects.get(deal=deal)
    expect(page.get_by_test_id("invoice-number")).to_have_text(f"{invoice.number}")
    expect(page.get_by_test_id("balance-due")).to_contain_text("$1,076.00")

    filter_and_save_view(page, invoice)
    choose_columns_and_export(page, invoice)
    take_payments(page, live_server.url, invoice, editor)

    # The buyer opens the link without a login and sees only this invoice.
    stranger = browser.new_context()
    try:
        buyer = stranger.new_page()
        buyer.goto(f"{live_server.url}/i/{invoice.public_token}/")
        expect(buyer.get_by_test_id("invoice-number")).to_have_text(f"{invoice.number}")
        expect(buyer.get_by_text("Hedy Lamarr")).to_be_visible()
        expect(buyer.get_by_role("navigation", name="Main")).to_have_count(0)
    finally:
        stranger.close()

    # The paid invoice cannot be voided; a finalized clone is voided and a draft clone deleted.
    actions(page)
    expect(page.locator('[data-action="void"]')).to_contain_text(
        "Delete the payment before voiding the invoice."
    )
    page.keyboard.press("Escape")
    actions(page).get_by_role("button", name="Clone").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"This new draft is a clone of {invoice.number}"
    )
    clone = Invoice.objects.exclude(pk=invoice.pk).get()
    page.get_by_role("button", name="Finalize").click()
    expect(page.get_by_role("alert")).to_contain_text("is finalized.")
    clone.refresh_from_db()
    actions(page).get_by_role("link", name="Void").click()
    page.locator("#dialog").get_by_role("button", name="Void invoice").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Invoice {clone.number} is voided.")

    actions(page).get_by_role("button", name="Clone").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"This new draft is a clone of {clone.number}"
    )
    draft = Invoice.objects.exclude(pk__in=[invoice.pk, clone.pk]).get()
    expect(page).to_have_url(f"{live_server.url}/invoices/{draft.pk}/")
    actions(page).get_by_role("link", name="Delete").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_contain_text("cannot be undone")
    dialog.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(f"{live_server.url}/invoices/")
    expect(page.get_by_role("alert")).to_contain_text("deleted")
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    assert Invoice.objects.get(pk=clone.pk).status == InvoiceStatus.VOIDED
