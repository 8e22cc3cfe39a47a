"""Journeys in Chromium (PAY-1, PAY-2, PAY-5): a buyer pays an invoice on the buyer page with a
test card on stripe_sandbox's hosted page and sees it paid; a declined card and another try;
a user refunds part of a payment on its page. Stripe's events are held while the pages are
used (the live server shares the test's SQLite connection), so the buyer page's read-back is
what records the payment here, as when a webhook is late."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from faktura.invoices.models import InvoiceStatus
from faktura.payments.models import Payment
from faktura.stripe_payments import refunds
from faktura.stripe_payments.checkout_sessions import session_for_invoice, settle_session
from faktura.stripe_payments.tests.conftest import quiet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pay_on_hosted_page(page: Page, card: str) -> None:
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiration (MM / YY)").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Cardholder name").fill("Jane Payer")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def test_a_buyer_pays_on_the_buyer_page_and_sees_it_paid(
    stripe_sandbox, webhooks_on, open_invoice, live_server, page
):
    # SPEC PAY-1, PAY-2
    stripe_sandbox.delivery(hold=True)
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/i/{open_invoice.public_token}/")
    page.get_by_role("button", name=re.compile("Pay")).click()
    expect(page.get_by_role("button", name="Pay 250.00 USD")).to_be_visible()
    pay_on_hosted_page(page, "4242 4242 4242 4242")
    state = page.locator("[data-payment-state]")
    expect(state).to_have_attribute("data-payment-state", "paid")
    expect(state).to_contain_text("your payment of 250.00 USD was received")
    expect(page.locator("[data-action=pay]")).to_have_count(0)
    stripe_sandbox.release()
    stripe_sandbox.normal_delivery()
    quiet(stripe_sandbox, webhooks_on)
    open_invoice.refresh_from_db()
    assert open_invoice.status == InvoiceStatus.PAID
    assert Payment.objects.get().fees_amount == Decimal("7.55")


def test_a_declined_card_then_another_try(
    stripe_sandbox, webhooks_on, open_invoice, live_server, page
):
    # SPEC PAY-1
    stripe_sandbox.delivery(hold=True)
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/i/{open_invoice.public_token}/")
    page.get_by_role("button", name=re.compile("Pay")).click()
    pay_on_hosted_page(page, "4000 0000 0000 0002")
    expect(page.get_by_text("Your card was declined.")).to_be_visible()
    pay_on_hosted_page(page, "4242 4242 4242 4242")
    expect(page.locator("[data-payment-state]")).to_have_attribute("data-payment-state", "paid")
    stripe_sandbox.release()
    stripe_sandbox.normal_delivery()
    quiet(stripe_sandbox, webhooks_on)
    assert Payment.objects.count() == 1


def test_a_user_refunds_part_of_a_payment_on_its_page(
    stripe_sandbox, stripe_account, open_invoice, editor_user, sign_in, live_server
):
    # SPEC PAY-5
    session = session_for_invoice(open_invoice, buyer_url="http://buyer.test/")
    stripe_sandbox.pay(session.session_id)
    settle_session(session.session_id)
    payment = Payment.objects.get()
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/payments/{payment.pk}/")
    panel = page.locator("#refunds-panel")
    expect(panel.locator("[data-fee]")).to_have_text(re.compile(r"7\.55"))
    panel.locator("[data-action=refund]").click()
    dialog = page.locator("#dialog-content")
    dialog.get_by_label(re.compile("^Amount")).fill("100.00")
    dialog.get_by_label(re.compile("^Reason")).fill("One seat was not used")
    dialog.locator("[data-action=confirm_refund]").click()
    row = page.locator("[data-refund]")
    expect(row).to_contain_text("100.00")
    expect(row).to_contain_text("One seat was not used")
    expect(row).to_have_attribute("data-refund-status", "pending")
    # Stripe finishes the refund; its events (here: reading them back) mark it succeeded.
    stripe_sandbox.wait_for(
        lambda: all(
            r.status == "succeeded"
            for r in stripe_sandbox.client(stripe_account)
            .v1.refunds.list({"payment_intent": payment.processor_payment_id})
            .data
        ),
        what="Stripe's refund",
    )
    refunds.sync_payment_refunds(str(payment.processor_payment_id))
    page.reload()
    expect(page.locator("[data-refund]")).to_have_attribute("data-refund-status", "succeeded")
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("100.00")
