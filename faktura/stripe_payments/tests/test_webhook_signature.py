"""The webhook endpoint (PAY-2): only events signed with the endpoint's secret and at most five
minutes old are stored; anything else is a 400 and changes nothing. A duplicate adds no row."""

import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from faktura.core.encryption import encrypt
from faktura.stripe_payments.models import StripeConnection, WebhookEvent

pytestmark = pytest.mark.django_db
SECRET = "whsec_testsecret0123456789"


@pytest.fixture
def signing(settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    StripeConnection.objects.create(pk=1, webhook_secret=encrypt(SECRET))


def event(event_id: str = "evt_1", kind: str = "customer.created") -> bytes:
    body = {"id": event_id, "object": "event", "type": kind, "livemode": False}
    body["data"] = {"object": {"id": "cus_1", "object": "customer"}}
    return json.dumps(body).encode()


def signature(payload: bytes, *, secret: str = SECRET, at: int | None = None) -> str:
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256)
    return f"t={stamp},v1={mac.hexdigest()}"


def post(client: Any, payload: bytes, header: str) -> Any:
    return client.post(
        "/stripe/webhook/",
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


def test_a_signed_event_is_stored_once_however_often_it_comes(
    client, signing, django_capture_on_commit_callbacks
):
    # SPEC PAY-2
    payload = event()
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, payload, signature(payload)).status_code == 200
    stored = WebhookEvent.objects.get()
    assert (stored.event_id, stored.deliveries) == ("evt_1", 3)
    assert stored.status == "ignored"  # not an event Faktura uses


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(lambda p: signature(p, secret="whsec_someoneelse000000"), id="wrong secret"),
        pytest.param(lambda p: signature(p, at=int(time.time()) - 301), id="old timestamp"),
        pytest.param(lambda p: signature(p + b" "), id="other body"),
        pytest.param(lambda p: "", id="no signature"),
        pytest.param(lambda p: "t=abc,v1=zz", id="garbage"),
    ],
)
def test_a_bad_signature_or_old_timestamp_is_refused_and_changes_nothing(client, signing, header):
    # SPEC PAY-2
    payload = event()
    response = post(client, payload, header(payload))
    assert response.status_code == 400
    assert "signature" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_without_a_signing_secret_nothing_is_accepted(client, settings):
    # SPEC PAY-2
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = event()
    response = post(client, payload, signature(payload))
    assert response.status_code == 400
    assert "Settings → Payments" in response.json()["error"]
    assert not WebhookEvent.objects.exists()
