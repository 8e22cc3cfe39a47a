"""Payments in Chromium: record one with each tab of the dialog, see it in the invoice's
Payments section, open it, delete it and see the balance return (INV-8, INV-11, INV-13)."""

import pytest
from playwright.sync_api import Page, expect

from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import Invoice, InvoicePayment
from faktura.payments import services as payments
from faktura.payments.models import Payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_record_payment(page: Page):
    page.get_by_role("button", name="Actions").click()
    page.get_by_label("Actions", exact=True).get_by_role("link", name="Record payment").click()
    dialog = page.locator("#dialog")
    expect(dialog.get_by_role("heading", name="Record payment")).to_be_visible()
    return dialog


# SPEC INV-11
def test_payment_recorded_with_the_new_payment_tab_appears_in_payments(
    sign_in, live_server, editor_user, open_invoice
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")
    dialog = open_record_payment(page)
    expect(dialog.get_by_label("Amount (USD)")).to_have_value("250.00")

    dialog.get_by_label("Amount (USD)").fill("100.00")
    dialog.get_by_label("Payment method").select_option(label="Check")
    dialog.get_by_label("Reference").fill("CHK-1001")
    dialog.get_by_role("button", name="Record payment").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Payment of 100.00 USD recorded. Invoice INV-1 is now Partially paid, with 150.00 USD due."
    )
    expect(page.get_by_label("Status")).to_contain_text("Partially paid")
    payments_panel = page.locator("section", has=page.get_by_role("heading", name="Payments"))
    expect(payments_panel).to_contain_text("100.00 USD")
    expect(payments_panel).to_contain_text("Check")
    expect(page.get_by_test_id("balance-due")).to_contain_text("$150.00")


# SPEC INV-11
def test_overpayment_refused_inside_the_dialog(sign_in, live_server, editor_user, open_invoice):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")
    dialog = open_record_payment(page)

    dialog.get_by_label("Amount (USD)").fill("999.00")
    dialog.get_by_role("button", name="Record payment").click()

    expect(dialog.get_by_role("alert")).to_contain_text(
        "is more than the balance due of 250.00 USD"
    )
    assert not Payment.objects.exists()


# SPEC INV-11
def test_existing_payments_found_by_email_and_by_amount_and_applied(
    sign_in, live_server, editor_user, open_invoice, system, grace
):
    by_email = payments.create_manual_payment(
        actor=system, amount="60.00", currency="USD", contact=grace
    )
    by_amount = payments.create_manual_payment(actor=system, amount="190.00", currency="USD")
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")

    dialog = open_record_payment(page)
    dialog.get_by_role("tab", name="Use existing").click()
    dialog.get_by_label("Find a payment").fill("grace@example.com")
    results = dialog.get_by_role("table", name="Matching payments")
    expect(results).to_contain_text("60.00 USD")
    expect(results.locator("tbody tr")).to_have_count(1)
    results.get_by_role("button", name=f"Apply payment {by_email.pk}").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Payment {by_email.pk} of 60.00 USD applied."
    )

    dialog = open_record_payment(page)
    dialog.get_by_role("tab", name="Use existing").click()
    dialog.get_by_label("Find a payment").fill("190")
    dialog.get_by_role("button", name="Search").click()
    results = dialog.get_by_role("table", name="Matching payments")
    results.get_by_role("button", name=f"Apply payment {by_amount.pk}").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Invoice INV-1 is now Paid, with 0.00 USD due."
    )
    expect(page.get_by_label("Status")).to_contain_text("Paid")
    assert InvoicePayment.objects.filter(invoice=open_invoice).count() == 2


# SPEC INV-13
def test_payment_opened_from_the_invoice_and_deleted_returns_the_balance(
    sign_in, live_server, editor_user, open_invoice, system
):
    payment = record_invoice_payment(open_invoice, actor=system, amount="250.00")
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")
    expect(page.get_by_label("Status")).to_contain_text("Paid")

    page.get_by_role("link", name=f"Payment {payment.pk}").click()
    expect(page.get_by_role("heading", name=f"Payment {payment.pk} · 250.00 USD")).to_be_visible()
    expect(page.get_by_role("link", name="invoice INV-1")).to_be_visible()
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("link", name="Delete").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_contain_text("cannot be undone")
    dialog.get_by_role("button", name="Delete record").click()

    expect(page).to_have_url(f"{live_server.url}/invoices/{open_invoice.pk}/")
    expect(page.get_by_role("alert")).to_contain_text(
        "Invoice INV-1 is now Open, with 250.00 USD due."
    )
    expect(page.get_by_test_id("balance-due")).to_contain_text("$250.00")
    expect(page.get_by_text("No payments yet.")).to_be_visible()
    assert Invoice.objects.get().balance_due == 250


# SPEC INV-8
def test_edit_shown_disabled_with_the_reason_once_a_payment_exists(
    sign_in, live_server, editor_user, open_invoice, system, account
):
    account(allow_editing_finalized_invoices=True)
    record_invoice_payment(open_invoice, actor=system, amount="10.00")
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")

    page.get_by_role("button", name="Actions").click()
    edit = page.locator('[data-action="edit"]')
    expect(edit).to_be_disabled()
    expect(edit).to_contain_text("Invoice INV-1 has 1 payment on it and cannot be edited.")
