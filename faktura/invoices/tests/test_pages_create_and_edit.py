"""Invoices in Chromium: create one (on the new page and from a deal), edit a draft's lines,
finalize it, set the owner, manage contacts and companies, read property history, and edit a
finalized invoice with the proposed customer message."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from faktura.core.actors import Actor
from faktura.emails.models import OutboundEmail
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice, InvoiceStatus
from faktura.invoices.tests.browsing import actions, search_in_dialog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def line_rows(page: Page):
    return page.get_by_role("table", name="Line items").locator("[data-line]")


# SPEC INV-4
# SPEC INV-5
def test_editor_creates_a_draft_with_a_product_line_and_finalizes_it(
    sign_in, live_server, editor_user, contact, product
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/new/")
    page.get_by_label("Bill to (contact)").select_option(label="Ada Lovelace")

    first = line_rows(page).nth(0)
    first.get_by_label("Product").select_option(label="Support plan")
    # The product fills in its name, price and tax rate.
    expect(first.get_by_label("Name")).to_have_value("Support plan")
    expect(first.get_by_label("Unit price")).to_have_value("80.00")  # as unit prices show
    expect(first.get_by_label("Tax rate (%)")).to_have_value("10")
    page.get_by_role("button", name="Add line").click()
    second = line_rows(page).nth(1)
    second.get_by_label("Name").fill("Setup")
    second.get_by_label("Quantity").fill("2")
    second.get_by_label("Unit price").fill("50")
    second.get_by_label("Discount", exact=True).fill("10")
    page.get_by_role("button", name="Create draft").first.click()

    expect(page.get_by_role("alert")).to_contain_text("Draft invoice created.")
    expect(page.get_by_role("heading", name="Draft invoice")).to_be_visible()
    sheet = page.get_by_test_id("invoice-sheet")
    expect(sheet).to_contain_text("Support plan")
    expect(sheet).to_contain_text("10 % (−$10.00)")
    expect(page.get_by_test_id("balance-due")).to_contain_text("$178.00")  # 88 + 90

    page.get_by_role("button", name="Finalize").click()

    expect(page.get_by_role("alert")).to_contain_text("is finalized.")
    invoice = Invoice.objects.get()
    assert invoice.status == InvoiceStatus.OPEN
    expect(page.get_by_role("heading", name=f"Invoice {invoice.number}")).to_be_visible()
    expect(page.get_by_test_id("invoice-number")).to_have_text(f"{invoice.number}")
    expect(page.get_by_role("alert")).to_contain_text(f"Invoice {invoice.number} is finalized.")


def test_invoice_created_from_a_deal_carries_its_lines_contacts_and_company(
    sign_in, live_server, editor_user, deal
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/deals/{deal.pk}/")

    page.get_by_role("button", name="Create invoice").click()

    expect(page.get_by_role("alert")).to_contain_text("created from the deal Difference engine")
    sheet = page.get_by_test_id("invoice-sheet")
    expect(sheet).to_contain_text("Gear set")
    expect(sheet).to_contain_text("Assembly")
    expect(sheet).to_contain_text("Analytical Engines Ltd")
    expect(page.get_by_label("Deal and quote")).to_contain_text("Difference engine")


# SPEC INV-4
def test_draft_lines_edited_and_the_totals_follow(sign_in, live_server, editor_user, make_invoice):
    draft = make_invoice(
        lines=[
            {"name": "Keep", "unit_price": "10", "quantity": "1"},
            {"name": "Drop", "unit_price": "99"},
        ]
    )
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{draft.pk}/")
    actions(page).get_by_role("link", name="Edit").click()

    line_rows(page).nth(0).get_by_label("Quantity").fill("4")
    line_rows(page).nth(1).get_by_label("Remove line").check()
    page.get_by_role("button", name="Save changes").first.click()

    expect(page.get_by_role("alert")).to_contain_text("Invoice saved.")
    sheet = page.get_by_test_id("invoice-sheet")
    expect(sheet).not_to_contain_text("Drop")
    expect(page.get_by_test_id("balance-due")).to_contain_text("$40.00")
    assert Invoice.objects.get().total == Decimal("40.00")


# SPEC INV-2
def test_owner_set_from_the_side_panel(
    sign_in, live_server, admin_user, editor_user, draft_invoice
):
    page = sign_in(admin_user)
    page.goto(f"{live_server.url}/invoices/{draft_invoice.pk}/")

    page.get_by_label("Invoice owner").select_option(label="editor")

    expect(page.get_by_role("status")).to_have_text("Owner set to editor.")
    draft_invoice.refresh_from_db()
    assert draft_invoice.owner == editor_user


# SPEC INV-2
def test_contact_and_company_added_and_removed_from_the_side_panel(
    sign_in, live_server, editor_user, draft_invoice, grace, company
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{draft_invoice.pk}/")
    contacts = page.get_by_label("Contacts", exact=True)

    contacts.get_by_role("link", name="Add contact").click()
    search_in_dialog(page, "hopper")
    page.get_by_role("button", name="Add Grace Hopper").click()
    expect(page.get_by_role("alert")).to_contain_text("Grace Hopper added to the invoice.")
    expect(contacts).to_contain_text("Grace Hopper")

    page.get_by_label("Companies", exact=True).get_by_role("link", name="Add company").click()
    page.get_by_role("button", name="Add Analytical Engines Ltd").click()
    expect(page.get_by_label("Companies", exact=True)).to_contain_text("Analytical Engines Ltd")

    page.get_by_role("button", name="Remove contact Ada Lovelace").click()
    expect(page.get_by_role("alert")).to_contain_text("Ada Lovelace removed from the invoice.")
    expect(contacts).not_to_contain_text("Ada Lovelace")
    page.get_by_role("button", name="Remove company Analytical Engines Ltd").click()
    expect(page.get_by_label("Companies", exact=True)).to_contain_text("None")
    assert [c.full_name for c in draft_invoice.contacts_in_order()] == ["Grace Hopper"]
    assert not draft_invoice.companies.exists()


# SPEC INV-16
def test_property_history_dialog_shows_each_value_with_who_and_when(
    sign_in, live_server, admin_user, open_invoice
):
    invoices.assign_invoice_owner(open_invoice, admin_user, actor=Actor.for_user(admin_user))
    page = sign_in(admin_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")

    actions(page).get_by_role("link", name="View property history").click()
    dialog = page.locator("#dialog")
    expect(dialog.get_by_role("table", name="Property history")).to_be_visible()
    dialog.get_by_label("Property", exact=True).select_option(label="Invoice status")

    rows = dialog.get_by_role("table", name="Property history").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Open")
    expect(rows.nth(0)).to_contain_text("current")
    expect(rows.nth(1)).to_contain_text("Draft")
    expect(rows.nth(1)).to_contain_text("System: tests")
    expect(rows.nth(1)).to_contain_text(re.compile(r"\w{3} \d+, \d{4} \d\d:\d\d"))

    dialog.get_by_label("Property", exact=True).select_option(label="Invoice owner")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("User: admin")


# SPEC INV-6
# SPEC INV-7
def test_finalized_invoice_edited_and_the_customer_told_through_the_send_dialog(
    sign_in, live_server, editor_user, open_invoice, account
):
    account(allow_editing_finalized_invoices=True, default_from_email="billing@faktura.test")
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")
    actions(page).get_by_role("link", name="Edit").click()
    expect(page.get_by_role("note")).to_contain_text(f"Invoice {open_invoice.number} is finalized.")

    line_rows(page).nth(0).get_by_label("Unit price").fill("120")
    page.get_by_label("Comments").fill("Price updated as agreed.")
    page.get_by_role("button", name="Save changes").first.click()

    expect(page.get_by_role("heading", name="let the customer know")).to_be_visible()
    changes = page.get_by_role("list", name="Changes")
    total = changes.get_by_role("listitem").filter(has_text=re.compile("^\\s*Total"))
    # Written for the customer, in the invoice's formats.
    expect(total).to_have_text(re.compile(r"Total:\s+\$250.00\s+→?\s*\$300.00"))
    expect(changes).to_contain_text("2 × Consulting hour at $120.00, 25 % tax")
    expect(changes).to_contain_text("Price updated as agreed.")

    page.get_by_test_id("send-update").click()
    dialog = page.locator("#dialog")
    expect(dialog.get_by_label("To")).to_have_value("ada@example.com")
    expect(dialog.get_by_label("Subject")).to_have_value(
        f"Updated invoice {open_invoice.number} from My Company"
    )
    expect(dialog.get_by_label("Message")).to_contain_text("The amount due is now $300.00")
    dialog.get_by_role("button", name="Send invoice").click()

    expect(page.get_by_role("alert")).to_contain_text("is on its way to ada@example.com")
    expect(page.get_by_test_id("balance-due")).to_contain_text("$300.00")
    email = OutboundEmail.objects.get()
    assert email.subject == f"Updated invoice {open_invoice.number} from My Company"
    assert "- Total: $250.00 → $300.00" in email.text_body
