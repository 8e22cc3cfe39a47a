"""The official `stripe` library, unchanged but for its base address, against the sandbox."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
import stripe

from stripe_sandbox.server import SandboxServer
from stripe_sandbox.tests.conftest import Account, new_session, wait_for


def pay(account: Account, session_id: str, card: str = "4242424242424242") -> dict:
    return account.control(f"checkout/sessions/{session_id}/pay", {"card": card, "name": "Jane"})


def test_session_paid_and_retrieved_with_nested_expand(client, account):
    session = new_session(client)
    assert session.status == "open"
    assert session.payment_status == "unpaid"
    assert session.payment_intent is None
    assert session.amount_total == 12000
    assert session.currency == "eur"
    assert session.url == f"{account.base_url}/c/pay/{session.id}"
    assert session.customer_email == "payer@example.com"
    assert session.customer_details is None  # filled from what the payer enters

    paid = pay(account, session.id)
    assert paid["outcome"] == "paid"
    assert paid["redirect"] == f"http://127.0.0.1:9/paid?session={session.id}"

    found = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent.latest_charge.balance_transaction"]}
    )
    assert found.status == "complete"
    assert found.payment_status == "paid"
    assert found.url is None
    assert found.customer_details
    assert found.customer_details.name == "Jane"
    assert found.customer_details.email == "payer@example.com"
    intent = found.payment_intent
    assert intent.status == "succeeded"
    assert intent.metadata["invoice"] == "1"
    transaction = intent.latest_charge.balance_transaction
    # 2.9 % of 120.00 is 3.48, plus 0.30.
    assert transaction.fee == 378
    assert transaction.net == 12000 - 378
    assert transaction.fee_details[0].type == "stripe_fee"

    listed = client.v1.checkout.sessions.list(params={"payment_intent": intent.id})
    assert [s.id for s in listed.data] == [session.id]
    items = client.v1.checkout.sessions.line_items.list(session.id)
    assert items.data[0].description == "Invoice INV-0001"
    assert items.data[0].amount_total == 12000


def test_zero_decimal_currency_fee(client, account):
    session = new_session(
        client,
        line_items=[
            {
                "price_data": {
                    "currency": "jpy",
                    "unit_amount": 5000,
                    "product_data": {"name": "x"},
                },
                "quantity": 2,
            }
        ],
    )
    pay(account, session.id)
    found = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent.latest_charge.balance_transaction"]}
    )
    assert found.amount_total == 10000
    assert found.payment_intent.latest_charge.balance_transaction.fee == 290 + 30


def test_declined_card_keeps_session_open_then_pays(client, account):
    session = new_session(client)
    declined = pay(account, session.id, "4000000000000002")
    assert declined["outcome"] == "declined"
    assert declined["message"] == "Your card was declined."
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert pay(account, session.id)["outcome"] == "paid"
    types = [e.type for e in client.v1.events.list(params={"limit": 100}).data][::-1]
    assert types == [
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]


def test_authentication_complete_and_fail(client, account):
    session = new_session(client)
    asked = pay(account, session.id, "4000002500003184")
    assert asked["outcome"] == "requires_action"
    failed = account.control(f"checkout/sessions/{session.id}/authenticate", {"result": "fail"})
    assert failed["outcome"] == "declined"
    assert pay(account, session.id, "4000002500003184")["outcome"] == "requires_action"
    done = account.control(f"checkout/sessions/{session.id}/authenticate", {"result": "complete"})
    assert done["outcome"] == "paid"


def test_refunds_settle_and_follow_on_the_charge(client, account):
    session = new_session(client)
    pay(account, session.id)
    intent_id = client.v1.checkout.sessions.retrieve(session.id).payment_intent
    first = client.v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 2000, "reason": "requested_by_customer"}
    )
    assert first.status == "pending"
    assert first.amount == 2000
    rest = client.v1.refunds.create(params={"payment_intent": intent_id})
    assert rest.amount == 10000
    charge = client.v1.charges.retrieve(client.v1.payment_intents.retrieve(intent_id).latest_charge)
    assert charge.amount_refunded == 12000
    assert charge.refunded is True
    wait_for(lambda: client.v1.refunds.retrieve(first.id).status == "succeeded")
    listed = client.v1.refunds.list(params={"payment_intent": intent_id})
    assert [r.id for r in listed.data] == [rest.id, first.id]
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 1})
    assert error.value.code == "charge_already_refunded"


def test_refund_of_5126_fails(client, account):
    session = new_session(client)
    pay(account, session.id, "4000000000005126")
    intent_id = client.v1.checkout.sessions.retrieve(session.id).payment_intent
    refund = client.v1.refunds.create(params={"payment_intent": intent_id})
    failed = wait_for(lambda: (r := client.v1.refunds.retrieve(refund.id)).status == "failed" and r)
    assert failed.failure_reason
    charge = client.v1.charges.retrieve(client.v1.payment_intents.retrieve(intent_id).latest_charge)
    assert charge.amount_refunded == 0
    assert charge.refunded is False
    types = {e.type for e in client.v1.events.list(params={"limit": 100}).data}
    assert {"refund.failed", "refund.updated", "charge.refund.updated"} <= types


def test_refund_larger_than_the_rest(client, account):
    session = new_session(client)
    pay(account, session.id)
    intent_id = client.v1.checkout.sessions.retrieve(session.id).payment_intent
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 12001})
    assert error.value.param == "amount"
    assert "greater than unrefunded amount" in error.value.user_message


def test_idempotent_replay_and_mismatch(client, account):
    options: Any = {"idempotency_key": "faktura-checkout-1-session"}
    first = client.v1.checkout.sessions.create(params=new_params(), options=options)
    again = client.v1.checkout.sessions.create(params=new_params(), options=options)
    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(
            params={**new_params(), "client_reference_id": "other"}, options=options
        )
    # Keys are per account: another account's same key is a new request.
    other = requests.post(f"{account.base_url}/control/accounts", json={}, timeout=5).json()
    theirs = stripe.StripeClient(other["secret_key"], base_addresses={"api": account.base_url})
    assert theirs.v1.checkout.sessions.create(params=new_params(), options=options).id != first.id
    traffic = account.get(f"traffic?account={account.id}")["requests"]
    posts = [t for t in traffic if t["method"] == "POST"]
    assert [t["idempotency_key"] for t in posts] == ["faktura-checkout-1-session"] * 3
    assert [t["replayed"] for t in posts] == [False, True, False]
    assert [t["status"] for t in posts] == [200, 200, 400]


def new_params() -> Any:
    from stripe_sandbox.tests.conftest import SESSION

    return dict(SESSION)


def test_errors_raise_the_library_classes(client, sandbox: SandboxServer):
    with pytest.raises(stripe.AuthenticationError):
        stripe.StripeClient(
            "sk_test_unknown", base_addresses={"api": sandbox.base_url}
        ).v1.accounts.retrieve_current()
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert missing.value.http_status == 404
    assert missing.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError) as bad:
        client.v1.checkout.sessions.create(params={**new_params(), "mode": None})
    assert bad.value.param == "mode"
    assert bad.value.code == "parameter_missing"
    too_soon = int(time.time()) + 60
    with pytest.raises(stripe.InvalidRequestError) as early:
        client.v1.checkout.sessions.create(params={**new_params(), "expires_at": too_soon})
    assert early.value.param == "expires_at"


def test_expire_and_clock(client, account):
    session = new_session(client)
    expired = client.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired"
    assert expired.url is None
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)
    later = new_session(client, expires_at=int(time.time()) + 1900)
    account.control("clock", {"advance": 2000})
    assert client.v1.checkout.sessions.retrieve(later.id).status == "expired"
    types = [
        e.type for e in client.v1.events.list(params={"type": "checkout.session.expired"}).data
    ]
    assert types == ["checkout.session.expired", "checkout.session.expired"]
    answer = requests.post(
        f"{account.base_url}/control/checkout/sessions/{later.id}/pay", json={}, timeout=5
    )
    assert answer.status_code == 409
    assert "expired" in answer.json()["error"]


def test_customers_and_account(client, account):
    customer = client.v1.customers.create(params={"email": "c@example.com", "name": "C"})
    assert client.v1.customers.retrieve(customer.id).email == "c@example.com"
    session = new_session(client, customer=customer.id, customer_email=None)
    assert session.customer == customer.id
    assert client.v1.accounts.retrieve_current().id == account.id


def test_basic_auth_and_demo_key(sandbox: SandboxServer):
    answer = requests.get(
        f"{sandbox.base_url}/v1/account",
        auth=("sk_test_sandboxDemo0000000000000000", ""),
        timeout=5,
    )
    assert answer.status_code == 200
    assert answer.headers["Request-Id"].startswith("req_")


def test_lists_find_by_payment_intent_before_payment_and_events_by_wildcard(client, account):
    session = new_session(client)
    pay(account, session.id, "4000000000000002")
    failed = client.v1.events.list(params={"type": "payment_intent.payment_failed"}).data[0]
    intent_id = failed.data.object["id"]
    found = client.v1.checkout.sessions.list(params={"payment_intent": intent_id})
    assert [s.id for s in found.data] == [session.id]
    charges = client.v1.events.list(params={"type": "charge.*"}).data
    assert [e.type for e in charges] == ["charge.failed"]
    both = client.v1.events.list(params={"types": ["charge.failed", "payment_intent.created"]})
    assert sorted(e.type for e in both.data) == ["charge.failed", "payment_intent.created"]


def test_paging(client, account):
    for _ in range(5):
        client.v1.customers.create(params={"email": "c@example.com"})
    first = client.v1.events.list(params={"limit": 2})
    assert first.has_more
    second = client.v1.events.list(params={"limit": 2, "starting_after": first.data[-1].id})
    back = client.v1.events.list(params={"limit": 2, "ending_before": second.data[0].id})
    assert [e.id for e in back.data] == [e.id for e in first.data]
    every = [e.id for e in client.v1.events.list(params={"limit": 2}).auto_paging_iter()]
    assert len(every) == len(set(every)) == 5


def test_amounts_out_of_stripes_range(client):
    def line(unit_amount: int, quantity: int = 1, currency: str = "eur") -> Any:
        price = {"currency": currency, "unit_amount": unit_amount, "product_data": {"name": "x"}}
        return [{"price_data": price, "quantity": quantity}]

    with pytest.raises(stripe.InvalidRequestError) as small:
        new_session(client, line_items=line(49))
    assert "at least 0.50 EUR" in small.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as large:
        new_session(client, line_items=line(60_000_000, 2))
    assert "no more than 999,999.99 EUR" in large.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as unit:
        new_session(client, line_items=line(100_000_000))
    assert unit.value.param == "line_items[0][price_data][unit_amount]"
    with pytest.raises(stripe.InvalidRequestError) as currency:
        new_session(client, line_items=line(100, currency="xyz"))
    assert currency.value.param == "line_items[0][price_data][currency]"
    assert (
        new_session(client, line_items=line(99_999_999, currency="jpy")).amount_total == 99_999_999
    )


def test_hosted_page_escapes_the_sellers_text(client, account):
    price = {"currency": "eur", "unit_amount": 500, "product_data": {"name": "<b>Tea</b> & co"}}
    session = new_session(client, line_items=[{"price_data": price, "quantity": 2}])
    page = requests.get(str(session.url), timeout=5).text
    assert "&lt;b&gt;Tea&lt;/b&gt; &amp; co × 2" in page
    assert "<b>Tea</b>" not in page
    assert "10.00 EUR" in page
