"""PAY-6 in Chromium: a user makes a payment link from a product, a buyer opens its public page,
types name and email, pays with 4242 4242 4242 4242 on stripe_sandbox's hosted page and sees the
thank-you state; the deal "Payment Link" then shows on the link's record page with the payment,
and the deal's page lists the payment."""

import re

import pytest
from playwright.sync_api import expect

from faktura.payment_links.models import PaymentLink, PurchaseStatus
from faktura.sales.models import Deal
from faktura.stripe_payments.tests.conftest import quiet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# SPEC PAY-6
# SPEC QB-8
def test_a_user_makes_a_link_and_a_buyer_pays_it_on_stripe(
    sign_in, live_server, editor_user, product, stripe_sandbox, webhooks_on
):
    page = sign_in(editor_user)
    page.set_default_timeout(20_000)

    # The user makes the link.
    page.goto(f"{live_server.url}/payments/")
    page.get_by_role("link", name="Payment links").click()
    expect(page).to_have_url(f"{live_server.url}/payments/links/")
    page.get_by_role("link", name="Create payment link").click()
    page.get_by_label("Name", exact=True).fill("Support bundle")
    page.get_by_label("Product").select_option(str(product.pk))
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Create payment link").click()
    expect(page.get_by_text("Payment link Support bundle created.")).to_be_visible()
    expect(page.get_by_test_id("link-total")).to_contain_text("176.00")
    public_url = page.get_by_test_id("public-url").input_value()
    link = PaymentLink.objects.get()
    assert public_url == f"{live_server.url}/l/{link.token}/"

    # A buyer, without a login, pays it.
    buyer = page.context.browser.new_context()
    buyer_page = buyer.new_page()
    buyer_page.set_default_timeout(20_000)
    buyer_page.goto(public_url)
    expect(buyer_page.get_by_test_id("public-total")).to_contain_text("176.00")
    buyer_page.get_by_label("Your name").fill("Grace Hopper")
    buyer_page.get_by_label("Your email").fill("grace@example.com")
    buyer_page.get_by_role("button", name=re.compile("^Pay")).click()
    buyer_page.wait_for_url(re.compile(re.escape(stripe_sandbox.base_url) + "/c/pay/"))
    buyer_page.get_by_label("Card number").fill("4242 4242 4242 4242")
    buyer_page.get_by_label("Expiration (MM / YY)").fill("12 / 34")
    buyer_page.get_by_label("CVC").fill("123")
    buyer_page.get_by_label("Cardholder name").fill("Grace Hopper")
    buyer_page.get_by_role("button", name=re.compile("^Pay")).click()
    buyer_page.wait_for_url(re.compile(re.escape(live_server.url) + "/l/.+/done/"))
    # The webhook or the read-back settles it; "confirming" reloads until then.
    expect(buyer_page.get_by_test_id("thank-you")).to_contain_text(
        "Thank you for your payment", timeout=60_000
    )
    buyer.close()
    # The live server shares SQLite with the test: read it once Stripe's deliveries are done.
    quiet(stripe_sandbox, webhooks_on)

    purchase = link.purchases.get()
    assert purchase.status == PurchaseStatus.COMPLETED
    deal = Deal.objects.get()

    # The deal "Payment Link" and its payment on the link's record page…
    page.goto(f"{live_server.url}{link.get_absolute_url()}")
    row = page.locator(f"[data-purchase='{purchase.pk}']")
    expect(row).to_contain_text("Grace Hopper")
    expect(row).to_contain_text("Payment Link")
    expect(row).to_contain_text("176.00")
    # …and on the deal's page, closed won with the payment.
    row.get_by_role("link", name="Payment Link").click()
    page.wait_for_url(re.compile(f"/deals/{deal.pk}/$"))
    expect(page.get_by_role("heading", name="Payment Link", level=1)).to_be_visible()
    expect(page.get_by_text("Closed won").first).to_be_visible()
    payments = page.get_by_test_id("deal-payments")
    expect(payments).to_contain_text(f"Payment {purchase.payment_id}")
    expect(payments).to_contain_text("Support bundle")
