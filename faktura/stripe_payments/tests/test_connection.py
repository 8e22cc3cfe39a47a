"""Connecting Stripe (PAY-1): the key is checked with Stripe before it is kept, stored encrypted,
never shown again; the environment wins; the webhook endpoint is registered through the API."""

from typing import Any

import pytest

from faktura.core.errors import RuleViolation
from faktura.stripe_payments import connection
from faktura.stripe_payments.models import StripeConnection
from tests.stripe import StripeSandbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox_base(stripe_sandbox: StripeSandbox, settings: Any) -> StripeSandbox:
    settings.STRIPE_API_BASE = stripe_sandbox.base_url
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    return stripe_sandbox


def test_a_working_key_is_kept_encrypted_and_shown_only_as_a_hint(sandbox_base, admin):
    # SPEC PAY-1
    account = sandbox_base.new_account(name="Acme Billing")
    connection.connect(actor=admin, secret_key=f"  {account.secret_key} ")
    row = StripeConnection.objects.get()
    assert account.secret_key not in row.secret_key  # encrypted at rest
    assert connection.secret_key() == account.secret_key
    assert row.key_hint == f"sk_test_…{account.secret_key[-4:]}"
    assert (row.account_id, row.livemode) == (account.id, False)
    assert connection.is_connected()


@pytest.mark.parametrize(
    ("key", "phrase"),
    [
        ("sk_test_notARealKey000000000000", "Stripe did not accept this key, so nothing was saved"),
        ("pk_test_123456789012345678", "is not a Stripe secret key"),
        ("", "is not a Stripe secret key"),
    ],
)
def test_a_key_stripe_refuses_is_not_saved(sandbox_base, admin, key, phrase):
    # SPEC PAY-1
    with pytest.raises(RuleViolation, match=phrase):
        connection.connect(actor=admin, secret_key=key)
    assert not StripeConnection.objects.exists()
    assert not connection.is_connected()


def test_only_a_super_admin_connects(sandbox_base, editor):
    # SPEC PAY-1
    account = sandbox_base.new_account()
    with pytest.raises(RuleViolation, match="Only a super admin"):
        connection.connect(actor=editor, secret_key=account.secret_key)


def test_the_environment_key_wins_over_the_stored_one(sandbox_base, admin, settings):
    # SPEC PAY-1
    stored, environment = sandbox_base.new_account(), sandbox_base.new_account()
    connection.connect(actor=admin, secret_key=stored.secret_key)
    settings.STRIPE_SECRET_KEY = environment.secret_key
    assert connection.secret_key() == environment.secret_key
    assert connection.describe().key_from_environment


def test_the_webhook_endpoint_is_created_in_stripe_and_its_secret_kept(sandbox_base, admin):
    # SPEC PAY-1, PAY-7
    account = sandbox_base.new_account()
    connection.connect(actor=admin, secret_key=account.secret_key)
    connection.create_webhook_endpoint(
        actor=admin, url="https://billing.example.com/stripe/webhook/"
    )
    secret = connection.webhook_secret()
    assert secret.startswith("whsec_")
    assert secret not in StripeConnection.objects.get().webhook_secret
    endpoints = sandbox_base.client(account).v1.webhook_endpoints.list()
    [endpoint] = endpoints.data
    assert endpoint.url == "https://billing.example.com/stripe/webhook/"
    assert "checkout.session.completed" in endpoint.enabled_events
    posts = [r for r in sandbox_base.traffic(account) if r["method"] == "POST"]
    assert posts
    assert all(r["idempotency_key"] for r in posts)


def test_settings_page_shows_the_hint_never_the_key(sandbox_base, admin_user, signed_in):
    # SPEC PAY-1
    account = sandbox_base.new_account()
    client = signed_in(admin_user)
    response = client.post(
        "/settings/payments/", {"action": "connect", "secret_key": account.secret_key}
    )
    assert response.status_code == 302
    page = client.get("/settings/payments/").content.decode()
    assert account.secret_key not in page
    assert f"sk_test_…{account.secret_key[-4:]}" in page
    assert "/stripe/webhook/" in page
    assert "checkout.session.completed" in page
    bad = client.post(
        "/settings/payments/", {"action": "connect", "secret_key": "sk_test_wrong0000000000"}
    )
    assert bad.status_code == 400
    assert "Stripe did not accept this key" in bad.content.decode()


def test_settings_page_is_for_super_admins(sandbox_base, editor_user, signed_in):
    # SPEC PAY-1
    assert signed_in(editor_user).get("/settings/payments/").status_code == 403


def test_disconnect_forgets_the_stored_key(sandbox_base, admin):
    # SPEC PAY-1
    account = sandbox_base.new_account()
    connection.connect(actor=admin, secret_key=account.secret_key)
    connection.disconnect(actor=admin)
    assert not connection.is_connected()
    assert connection.secret_key() == ""
