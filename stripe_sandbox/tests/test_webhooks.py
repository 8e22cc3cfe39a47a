"""Webhook delivery: signed as Stripe signs, retried, and bent by the control endpoint."""

from __future__ import annotations

import time

import pytest
import stripe

from stripe_sandbox.tests.conftest import Account, Receiver, new_session, wait_for


def endpoint(client, receiver: Receiver, events=("*",)) -> str:
    made = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": list(events)}
    )
    assert made.secret.startswith("whsec_")
    assert all(getattr(e, "secret", None) is None for e in client.v1.webhook_endpoints.list().data)
    return made.secret


def paid_session(client, account: Account) -> str:
    session = new_session(client)
    account.control(f"checkout/sessions/{session.id}/pay", {"card": "4242424242424242"})
    return session.id


def test_signed_delivery_accepted_by_the_library(client, account, receiver):
    secret = endpoint(client, receiver, ["checkout.session.completed"])
    session_id = paid_session(client, account)
    wait_for(lambda: receiver.received)
    request = receiver.received[0]
    event = stripe.Webhook.construct_event(
        request["body"], request["headers"]["Stripe-Signature"], secret
    )
    assert event.type == "checkout.session.completed"
    assert event.data.object.id == session_id
    tampered = request["body"].replace(b"complete", b"COMPLETE")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, request["headers"]["Stripe-Signature"], secret)


def test_retries_after_a_500(client, account, receiver):
    receiver.statuses = [500, 500]
    endpoint(client, receiver, ["checkout.session.completed"])
    paid_session(client, account)
    wait_for(lambda: len(receiver.received) == 3)
    attempts = wait_for(
        lambda: (
            (a := account.get(f"deliveries?account={account.id}")["deliveries"])
            and len(a) == 3
            and a
        )
    )
    assert [(a["attempt"], a["status"]) for a in attempts] == [(1, 500), (2, 500), (3, 200)]


def test_gives_up_after_the_last_retry(client, account, receiver):
    receiver.statuses = [500] * 10
    endpoint(client, receiver, ["checkout.session.completed"])
    paid_session(client, account)
    wait_for(lambda: len(receiver.received) == 4)
    time.sleep(1.5)  # a fifth attempt would have come by now (the last delay is 1.2 s)
    assert len(receiver.received) == 4


def test_duplicate_reverse_hold_release(client, account, receiver):
    endpoint(client, receiver)
    account.control("delivery", {"duplicate": 3})
    paid_session(client, account)
    wait_for(lambda: len(receiver.received) == 4 * 3)
    ids = [body["id"] for body in receiver.bodies()]
    assert all(ids.count(i) == 3 for i in ids)

    receiver.received.clear()
    account.control("delivery", {"reverse": True})
    paid_session(client, account)
    time.sleep(0.3)
    assert receiver.received == []
    assert account.control("delivery/release")["released"] == 4
    wait_for(lambda: len(receiver.received) == 4)
    assert [b["type"] for b in receiver.bodies()] == [
        "checkout.session.completed",
        "payment_intent.succeeded",
        "charge.succeeded",
        "payment_intent.created",
    ]


def test_delay(client, account, receiver):
    endpoint(client, receiver, ["checkout.session.completed"])
    account.control("delivery", {"delay": 1.0})
    started = time.monotonic()
    paid_session(client, account)
    wait_for(lambda: receiver.received)
    assert time.monotonic() - started >= 1.0


def test_resend(client, account, receiver):
    endpoint(client, receiver, ["checkout.session.completed"])
    paid_session(client, account)
    wait_for(lambda: len(receiver.received) == 1)
    event_id = receiver.bodies()[0]["id"]
    assert account.control(f"events/{event_id}/resend")["queued"] == 1
    wait_for(lambda: len(receiver.received) == 2)
    assert receiver.bodies()[1]["id"] == event_id
