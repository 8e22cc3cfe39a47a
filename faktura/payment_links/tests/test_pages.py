"""Payment link pages: who may see and change them, the new-link form's errors, the record page,
and the public page's answers for bad tokens, inactive links and bad buyer input (PAY-6)."""

import pytest
from django.urls import reverse

from faktura.payment_links import services
from faktura.payment_links.models import PaymentLink
from faktura.payment_links.services import ItemInput
from faktura.payment_links.tests.factories import paid_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(editor, product):
    return services.create_link(
        actor=editor, name="Support plan link", currency="USD", items=[ItemInput(product.pk, 2)]
    )


# SPEC PAY-6
def test_the_index_lists_links_with_amount_payments_and_filters(
    signed_in, viewer_user, link, editor
):
    other = services.create_link(
        actor=editor,
        name="Old offer",
        currency="USD",
        items=[ItemInput(link.items.get().product_id, 1)],
    )
    services.set_active(other, False, actor=editor)
    client = signed_in(viewer_user)
    page = client.get("/payments/links/").content.decode()
    assert "Support plan link" in page
    assert "Old offer" in page
    assert "176.00" in page  # 2 × 80 + 10 % tax
    active = client.get("/payments/links/?state=active").content.decode()
    assert "Support plan link" in active
    assert "Old offer" not in active
    inactive = client.get("/payments/links/?state=inactive").content.decode()
    assert "Old offer" in inactive
    assert "Support plan link" not in inactive


def test_pages_need_a_login(client, link):
    for url in ("/payments/links/", "/payments/links/new/", link.get_absolute_url()):
        assert client.get(url).status_code == 302


def test_view_only_users_see_links_but_cannot_make_or_deactivate_them(signed_in, viewer_user, link):
    client = signed_in(viewer_user)
    assert client.get(link.get_absolute_url()).status_code == 200
    assert "Deactivate" not in client.get(link.get_absolute_url()).content.decode()
    assert client.get("/payments/links/new/").status_code == 403
    response = client.post(reverse("payment_links:set_active", args=[link.pk]), {"active": "0"})
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.active


# SPEC PAY-6
def test_a_user_makes_a_link_from_products(signed_in, editor_user, product, system):
    from faktura.sales import services as sales

    widget = sales.create_product(actor=system, name="Widget", price="5.00")
    client = signed_in(editor_user)
    assert "Support plan" in client.get("/payments/links/new/").content.decode()
    response = client.post(
        "/payments/links/new/",
        {
            "name": "Bundle",
            "currency": "USD",
            "product": [str(product.pk), str(widget.pk), ""],
            "quantity": ["1", "3", "1"],
            "payment_limit": "10",
        },
    )
    link = PaymentLink.objects.get(name="Bundle")
    assert response.status_code == 302
    assert response["Location"] == link.get_absolute_url()
    assert [(i.name, int(i.quantity)) for i in link.items.all()] == [
        ("Support plan", 1),
        ("Widget", 3),
    ]
    assert link.payment_limit == 10
    page = client.get(link.get_absolute_url()).content.decode()
    assert f"http://testserver/l/{link.token}/" in page
    assert "data-copy-text" in page
    assert "103.00" in page  # 80 + 8 tax + 15


@pytest.mark.parametrize(
    ("products", "quantities", "message"),
    [
        ([""], ["1"], "Choose at least one product"),
        (["PRODUCT"], ["0"], "must be at least 1"),
        (["PRODUCT"], ["1.5"], "must be a whole number"),
    ],
)
def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(
    signed_in, editor_user, product, products, quantities, message
):
    client = signed_in(editor_user)
    products = [str(product.pk) if p == "PRODUCT" else p for p in products]
    response = client.post(
        "/payments/links/new/",
        {"name": "Typed name", "currency": "USD", "product": products, "quantity": quantities},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="Typed name"' in page
    assert not PaymentLink.objects.exists()


def test_the_form_adds_a_product_row(signed_in, editor_user, product):
    row = signed_in(editor_user).get(reverse("payment_links:product_row")).content.decode()
    assert 'name="product"' in row
    assert "Support plan" in row


def test_deactivate_and_activate(signed_in, editor_user, link):
    client = signed_in(editor_user)
    client.post(reverse("payment_links:set_active", args=[link.pk]), {"active": "0"})
    link.refresh_from_db()
    assert not link.active
    client.post(reverse("payment_links:set_active", args=[link.pk]), {"active": "1"})
    link.refresh_from_db()
    assert link.active


# --- the public page -------------------------------------------------------------------------


# SPEC PAY-6
def test_the_public_page_shows_seller_items_and_total_without_a_login(client, link, account):
    account(company_name="Analytical Engines Ltd")
    response = client.get(link.public_path())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Analytical Engines Ltd" in page
    assert "Support plan" in page
    assert "176.00" in page
    assert 'name="email"' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_a_bad_token_is_404(client, link):
    assert client.get("/l/not-a-real-token/").status_code == 404
    assert client.post("/l/not-a-real-token/", {"name": "A", "email": "a@b.co"}).status_code == 404


# SPEC PAY-6
def test_an_inactive_link_says_so_and_takes_nothing(client, link, editor):
    services.set_active(link, False, actor=editor)
    page = client.get(link.public_path()).content.decode()
    assert "no longer active" in page
    assert 'name="email"' not in page
    response = client.post(link.public_path(), {"name": "Ada", "email": "ada@example.com"})
    assert response.status_code == 400
    assert "no longer active" in response.content.decode()
    assert not link.purchases.exists()


def test_a_link_at_its_limit_says_so(client, editor, product):
    link = services.create_link(
        actor=editor, name="One", currency="USD", items=[ItemInput(product.pk, 1)], payment_limit=1
    )
    purchase = services.open_purchase(link, name="Ada", email="ada@example.com")
    services.complete_purchase(
        paid_session(reference=str(purchase.pk), amount=purchase.amount, payment_intent_id="pi_1")
    )
    page = client.get(link.public_path()).content.decode()
    assert "reached its limit of 1 payments" in page


def test_bad_buyer_input_is_shown_with_what_was_typed(client, link):
    response = client.post(link.public_path(), {"name": "Ada Lovelace", "email": "ada@"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address" in page
    assert 'value="Ada Lovelace"' in page
    assert not link.purchases.exists()


def test_the_public_page_is_rate_limited(client, link, settings):
    settings.FAKTURA_BUYER_RATE_LIMIT = "2/60"
    assert client.get(link.public_path()).status_code == 200
    assert client.get(link.public_path()).status_code == 200
    assert client.get(link.public_path()).status_code == 429


# SPEC PAY-6
def test_the_record_page_and_deal_page_show_the_payment(signed_in, editor_user, link):
    purchase = services.open_purchase(link, name="Grace Hopper", email="grace@example.com")
    payment = services.complete_purchase(
        paid_session(reference=str(purchase.pk), amount=purchase.amount, payment_intent_id="pi_2")
    )
    client = signed_in(editor_user)
    page = client.get(link.get_absolute_url()).content.decode()
    assert "Grace Hopper" in page
    assert f"/deals/{payment.deal_id}/" in page
    assert f"/payments/{payment.pk}/" in page
    deal_page = client.get(f"/deals/{payment.deal_id}/").content.decode()
    assert 'data-testid="deal-payments"' in deal_page
    assert f"/payments/{payment.pk}/" in deal_page
    assert "Support plan link" in deal_page
    payment_page = client.get(f"/payments/{payment.pk}/").content.decode()
    assert 'data-testid="payment-deal"' in payment_page
    assert f"/deals/{payment.deal_id}/" in payment_page
    # Purchases done: thank-you state on the public page.
    done = client.get(reverse("payment_links:done", args=[link.token, purchase.token]))
    assert "Thank you for your payment" in done.content.decode()
