"""The sandbox as Faktura's tests and demo run it: a process started by tests/stripe.py, its
objects kept in `--data` across a restart."""

from __future__ import annotations

from pathlib import Path

import requests

from faktura.demo import stripe_sandbox as demo
from stripe_sandbox.tests.conftest import SESSION
from tests.stripe import running_sandbox, start_sandbox, stop_sandbox


def test_the_helper_starts_a_process_and_pays(tmp_path: Path) -> None:
    for sandbox in running_sandbox():
        assert demo.answering(sandbox.base_url)()
        account = sandbox.new_account()
        client = sandbox.client(account)
        session = client.v1.checkout.sessions.create(
            params=SESSION,  # type: ignore[arg-type]
            options={"idempotency_key": "faktura-checkout-1-session"},
        )
        assert sandbox.pay(session.id)["outcome"] == "paid"
        types = [event["type"] for event in sandbox.events(account)]
        assert types[-1] == "checkout.session.completed"
        (request,) = [t for t in sandbox.traffic(account) if t["method"] == "POST"]
        assert request["idempotency_key"] == "faktura-checkout-1-session"
        sandbox.close_account(account)
        assert sandbox.pending_deliveries(account) == 0
        assert sandbox.environment(account) == {
            "STRIPE_API_BASE": sandbox.base_url,
            "STRIPE_SECRET_KEY": account.secret_key,
        }


def test_data_file_keeps_objects_across_a_restart(tmp_path: Path) -> None:
    data = str(tmp_path / "stripe.sqlite3")
    first = start_sandbox("--data", data)
    try:
        account = first.new_account()
        session = first.client(account).v1.checkout.sessions.create(params=SESSION)  # type: ignore[arg-type]
        first.pay(session.id)
    finally:
        stop_sandbox(first)
    second = start_sandbox("--data", data)
    try:
        again = second.client(account).v1.checkout.sessions.retrieve(
            session.id, params={"expand": ["payment_intent"]}
        )
        assert again.payment_status == "paid"
        assert again.payment_intent.status == "succeeded"  # type: ignore[union-attr]
        assert len(second.events(account)) == 4
        demo_key = {"Authorization": f"Bearer {demo.DEMO_SECRET_KEY}"}
        assert requests.get(f"{second.base_url}/v1/account", headers=demo_key, timeout=5).ok
    finally:
        stop_sandbox(second)


def test_demo_command() -> None:
    command = demo.command(12111, Path("/tmp/x.sqlite3"))
    assert command[1:] == ["-m", "stripe_sandbox", "--port", "12111", "--data", "/tmp/x.sqlite3"]
