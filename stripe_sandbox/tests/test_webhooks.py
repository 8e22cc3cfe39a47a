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
    # Nothing is left to send: no fifth attempt will come.
    wait_for(lambda: account.get(f"deliveries?account={account.id}")["pending"] == 0)
    assert len(receiver.received) == 4
    attempts = account.get(f"deliveries?account={account.id}")["deliveries"]
    assert [a["attempt"] for a in attempts] == [1, 2, 3, 4]
    assert not any(a["delivered"] for a in attempts)


def test_duplicate_reverse_hold_release(client, account, receiver):
    endpoint(client, receiver)
    account.control("delivery", {"duplicate": 3, "account": account.id})
    paid_session(client, account)
    wait_for(lambda: len(receiver.received) == 4 * 3)
    ids = [body["id"] for body in receiver.bodies()]
    assert all(ids.count(i) == 3 for i in ids)

    receiver.received.clear()
    account.control("delivery", {"reverse": True, "account": account.id})
    paid_session(client, account)
    assert account.get(f"delivery?account={account.id}")["held"] == 4
    assert receiver.received == []
    assert account.control("delivery/release", {"account": "acct_other"})["released"] == 0
    assert account.control("delivery/release", {"account": account.id})["released"] == 4
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


def test_resend_with_an_old_timestamp_or_another_secret_is_refused_by_the_library(
    client, account, receiver
):
    secret = endpoint(client, receiver, ["checkout.session.completed"])
    paid_session(client, account)
    wait_for(lambda: len(receiver.received) == 1)
    event_id = receiver.bodies()[0]["id"]
    account.control(f"events/{event_id}/resend", {"age": 600})
    account.control(f"events/{event_id}/resend", {"secret": "whsec_not_the_endpoints"})
    wait_for(lambda: len(receiver.received) == 3)
    for request in receiver.received[1:]:
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(
                request["body"], request["headers"]["Stripe-Signature"], secret, tolerance=300
            )


def test_sessions_expire_on_the_clock_and_the_event_is_delivered(client, account, receiver):
    endpoint(client, receiver, ["checkout.session.expired"])
    session = new_session(client, expires_at=int(time.time()) + 1800)
    account.control("clock", {"advance": 1801})
    wait_for(lambda: receiver.received)
    (body,) = receiver.bodies()
    assert body["data"]["object"]["id"] == session.id
    assert body["data"]["object"]["status"] == "expired"


def test_a_payment_that_completes_while_the_seller_expires_the_session(client, account, receiver):
    """The race of PAY-3: the buyer's payment went through just before the seller's expire
    call; the completion webhook arrives after it."""
    endpoint(client, receiver, ["checkout.session.completed"])
    account.control("delivery", {"hold": True})
    session = new_session(client)
    paid_session_id = session.id
    account.control(f"checkout/sessions/{paid_session_id}/pay", {"card": "4242424242424242"})
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.expire(paid_session_id)
    assert "has a status of `complete`" in refused.value.user_message
    assert account.control("delivery/release")["released"] == 1
    wait_for(lambda: receiver.received)
    assert receiver.bodies()[0]["data"]["object"]["payment_status"] == "paid"


def test_customer_creation_always_makes_a_customer(client, account, receiver):
    endpoint(client, receiver, ["customer.created", "checkout.session.completed"])
    session = new_session(client, customer_creation="always")
    account.control(
        f"checkout/sessions/{session.id}/pay",
        {"card": "4242424242424242", "name": "Kari Nordmann", "email": "kari@example.com"},
    )
    done = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["customer"]})
    assert done.customer.email == "kari@example.com"
    assert done.customer.name == "Kari Nordmann"
    wait_for(lambda: len(receiver.received) == 2)
    assert [b["type"] for b in receiver.bodies()] == [
        "customer.created",
        "checkout.session.completed",
    ]


def test_closing_an_account_stops_its_deliveries(client, account, receiver):
    receiver.statuses = [500] * 10
    endpoint(client, receiver, ["checkout.session.completed"])
    paid_session(client, account)
    wait_for(lambda: account.get(f"deliveries?account={account.id}")["deliveries"])
    pending = account.get(f"deliveries?account={account.id}")["pending"]
    assert pending == 1  # its retry
    closed = account.api("DELETE", f"/control/accounts/{account.id}")
    assert closed.json() == {"disabled_endpoints": 1, "dropped_deliveries": 1}
    assert account.get(f"deliveries?account={account.id}")["pending"] == 0
    assert len(receiver.received) == 1
    assert client.v1.webhook_endpoints.list().data[0].status == "disabled"
