"""A payment link paid end to end against the real stripe_sandbox (PAY-6): the public page opens a
Checkout Session with a derived idempotency key (PAY-7), the sandbox pays it with a test card,
its signed webhook reaches Faktura, and a deal "Payment Link" closed won holds the payment. Also
the buyer back before the webhook (read back, PAY-2) and a link at its limit."""

from decimal import Decimal

import pytest

from faktura.payment_links import services
from faktura.payment_links.models import Purchase, PurchaseStatus
from faktura.payment_links.services import ItemInput
from faktura.payments.models import Payment
from faktura.sales.models import Deal, DealStage
from faktura.stripe_payments.tests.conftest import quiet


@pytest.fixture
def link(editor, product):
    # Support plan: 80.00 + 10 % tax, twice → 176.00
    return services.create_link(
        actor=editor, name="Support", currency="USD", items=[ItemInput(product.pk, 2)]
    )


def buy(client, link, name="Grace Hopper", email="grace@example.com") -> Purchase:
    response = client.post(link.public_path(), {"name": name, "email": email})
    assert response.status_code == 302, response.content.decode()
    purchase = Purchase.objects.get(link=link, buyer_email=email, status=PurchaseStatus.OPEN)
    assert response["Location"] == purchase.checkout_url
    assert purchase.stripe_session_id.startswith("cs_")
    return purchase


# SPEC PAY-6
# SPEC PAY-2
# SPEC PAY-7
# SPEC QB-8
@pytest.mark.django_db(transaction=True)
def test_a_link_paid_on_stripe_becomes_a_closed_won_deal_with_the_payment(
    client, stripe_sandbox, webhooks_on, link
):
    purchase = buy(client, link)

    assert stripe_sandbox.pay(purchase.stripe_session_id)["outcome"] == "paid"
    # The live server shares SQLite with the test: wait on the sandbox's deliveries only.
    quiet(stripe_sandbox, webhooks_on)
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.COMPLETED
    payment = Payment.objects.get()
    deal = Deal.objects.get()
    assert (deal.name, deal.stage, deal.amount) == ("Payment Link", DealStage.WON, Decimal("176"))
    assert payment.deal == deal
    assert payment.amount == Decimal("176.00")
    assert payment.fees_amount == Decimal("5.40")  # 2.9 % + 30 cents of 176.00
    assert str(payment.processor_payment_id).startswith("pi_")
    assert purchase.contact is not None
    assert purchase.contact.email == "grace@example.com"
    assert list(deal.contacts.all()) == [purchase.contact]
    # PAY-7: every POST Faktura made carried a key derived from what it did.
    posts = [r for r in stripe_sandbox.traffic(webhooks_on) if r["method"] == "POST"]
    assert posts
    assert all(r["idempotency_key"] for r in posts)
    assert f"faktura-payment-link-{purchase.pk}-session" in {r["idempotency_key"] for r in posts}
    # The thank-you state on the public page.
    done = client.get(f"/l/{link.token}/done/{purchase.token}/").content.decode()
    assert "Thank you for your payment" in done


# SPEC PAY-6
# SPEC PAY-2
@pytest.mark.django_db
def test_the_buyer_back_before_the_webhook_sees_the_payment_read_back(
    client, stripe_sandbox, stripe_account, link
):
    # No webhook endpoint: only reading the session back can complete the purchase.
    purchase = buy(client, link, email="ada@example.com")
    stripe_sandbox.pay(purchase.stripe_session_id)
    page = client.get(f"/l/{link.token}/done/{purchase.token}/").content.decode()
    assert "Thank you for your payment" in page
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.COMPLETED
    assert purchase.deal is not None
    assert purchase.deal.name == "Payment Link"
    # Reading it again changes nothing.
    client.get(f"/l/{link.token}/done/{purchase.token}/")
    assert Payment.objects.count() == 1


# SPEC PAY-6
@pytest.mark.django_db
def test_a_declined_card_leaves_the_purchase_open_and_creates_nothing(
    client, stripe_sandbox, stripe_account, link
):
    purchase = buy(client, link)
    assert stripe_sandbox.pay(purchase.stripe_session_id, card="4000000000000002")["outcome"] == (
        "declined"
    )
    page = client.get(f"/l/{link.token}/done/{purchase.token}/").content.decode()
    assert "confirming your payment" in page
    assert not Payment.objects.exists()
    assert not Deal.objects.exists()


@pytest.mark.django_db
def test_without_stripe_the_buyer_is_told_and_nothing_is_left_open(client, settings, link):
    settings.STRIPE_SECRET_KEY = ""
    response = client.post(link.public_path(), {"name": "Ada", "email": "ada@example.com"})
    assert response.status_code == 400
    assert "Stripe is not connected" in response.content.decode()
    assert not Purchase.objects.filter(status=PurchaseStatus.OPEN).exists()


# SPEC PAY-6
# SPEC PAY-2
@pytest.mark.django_db(transaction=True)
def test_webhooks_delivered_three_times_out_of_order_make_one_deal_and_payment(
    client, stripe_sandbox, webhooks_on, link
):
    purchase = buy(client, link)
    stripe_sandbox.delivery(duplicate=3, reverse=True, hold=True)
    stripe_sandbox.pay(purchase.stripe_session_id)
    assert stripe_sandbox.release() >= 9  # three events, three times each, newest first
    stripe_sandbox.normal_delivery()
    quiet(stripe_sandbox, webhooks_on)
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.COMPLETED
    assert Payment.objects.count() == 1
    assert Deal.objects.filter(name="Payment Link").count() == 1
    assert purchase.contact is not None
    assert purchase.contact.email == "grace@example.com"
