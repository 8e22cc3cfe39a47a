"""The Send dialog and receipts in Chromium, delivered to a real SMTP server (aiosmtpd)."""

import re

import pytest
from playwright.sync_api import expect

from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import Invoice
from faktura.invoices.tests.browsing import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# SPEC INV-18
# SPEC INV-28
def test_editor_sends_the_invoice_and_sees_it_delivered(
    sign_in, live_server, editor_user, open_invoice, account, smtp_server
):
    account(default_from_email="billing@nordlys.example")
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")
    actions(page).get_by_role("link", name="Send").click()
    dialog = page.locator("#dialog")
    heading = dialog.get_by_role("heading", name=f"Send invoice {open_invoice.number}")
    expect(heading).to_be_visible()
    expect(dialog.get_by_label("To")).to_have_value("ada@example.com")
    expect(dialog.get_by_label("From")).to_have_value("billing@nordlys.example")
    dialog.get_by_label("CC").fill("grace@example.com, not-an-address")
    dialog.get_by_role("button", name="Send invoice").click()
    expect(dialog.get_by_role("alert")).to_contain_text("CC: 'not-an-address' is not an email")

    dialog.get_by_label("CC").fill("grace@example.com")
    dialog.get_by_role("button", name="Send invoice").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Invoice {open_invoice.number} is on its way to ada@example.com."
    )
    emails = page.get_by_role("list", name="Emails")
    expect(emails).to_contain_text("To ada@example.com (CC grace@example.com)")
    expect(emails).to_contain_text("Sent")
    expect(page.locator('[data-property="hs_last_sent_date"]')).not_to_have_text("—")
    expect(page.get_by_role("list", name="Edit log")).to_contain_text(
        "Sent the invoice by email to ada@example.com (CC grace@example.com)"
    )
    assert [m["To"] for m in smtp_server.messages] == ["ada@example.com"]
    assert Invoice.objects.get().last_sent_at is not None


# SPEC INV-12
def test_receipt_sent_from_the_payment_page(
    sign_in, live_server, editor_user, editor, open_invoice, contact, account, smtp_server
):
    account(default_from_email="billing@nordlys.example")
    payment = record_invoice_payment(open_invoice, actor=editor, amount="50.00", contact=contact)
    assert smtp_server.messages == []  # recording it sent nothing
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/payments/{payment.pk}/")
    actions(page).get_by_role("link", name="Send receipt").click()
    dialog = page.locator("#dialog")
    expect(dialog.get_by_label("Send to")).to_have_value("ada@example.com")
    dialog.get_by_role("button", name="Send receipt").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"The receipt for payment {payment.pk} is on its way to ada@example.com."
    )
    [message] = smtp_server.messages
    assert message["Subject"] == "Receipt for your payment of $50.00 to My Company"


# SPEC INV-19
# SPEC INV-31
def test_pdf_downloaded_from_the_record_page_and_the_buyer_page(
    sign_in, live_server, viewer_user, open_invoice, browser
):
    page = sign_in(viewer_user)
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")
    with page.expect_download() as staff:
        actions(page).get_by_role("link", name="Download").click()
    assert staff.value.suggested_filename == f"{open_invoice.number}.pdf"
    with open(staff.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    stranger = browser.new_context()
    try:
        buyer = stranger.new_page()
        buyer.goto(f"{live_server.url}/i/{open_invoice.public_token}/")
        with buyer.expect_download() as bought:
            buyer.get_by_role("link", name="Download PDF").click()
        assert bought.value.suggested_filename == f"{open_invoice.number}.pdf"
    finally:
        stranger.close()


# SPEC INV-29
# SPEC INV-30
def test_write_manually_on_the_deal_then_insert_another_invoice_and_send(
    sign_in, live_server, editor_user, deal, system, account, smtp_server
):
    from faktura.invoices import services

    account(default_from_email="billing@nordlys.example")
    invoice = services.finalize_invoice(
        services.create_invoice_from_deal(deal, actor=system), actor=system
    )
    other = services.finalize_invoice(
        services.create_invoice_from_deal(deal, actor=system), actor=system
    )
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    actions(page).get_by_role("link", name="Send").click()
    page.locator("#dialog").get_by_role("link", name="Write email manually").click()

    expect(page.get_by_role("heading", name=f"Email from {deal.name}")).to_be_visible()
    message = page.get_by_label("Message")
    expect(message).to_have_value(re.compile(rf"^\[{invoice.number}\]\(http"))
    page.get_by_label("Subject").fill("Two invoices")
    message.press("Control+End")  # the end of the text, not of a wrapped line
    page.get_by_role("button", name="Invoice").click()
    page.get_by_label("Find an invoice").fill(other.number)
    page.get_by_role("button", name=re.compile(rf"^{other.number} ")).click()
    expect(message).to_have_value(re.compile(rf"\[{other.number}\]\(http"))
    page.get_by_role("button", name="Send email").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Your email to ada@example.com is on its way."
    )
    expect(page.get_by_role("list", name="Emails")).to_contain_text("Two invoices")
    html = smtp_server.messages[0].get_body(("html",)).get_content()
    assert f">{invoice.number}</a>" in html
    assert f">{other.number}</a>" in html
    invoice.refresh_from_db()
    assert invoice.last_sent_at is None
