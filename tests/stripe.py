"""stripe_sandbox in its own process for Faktura's tests (faktura imports nothing of it): started
once per test process; each test makes an account of its own, so tests never share Stripe data.

Use the `stripe_sandbox` fixture (import it into a conftest.py:
`from tests.stripe import stripe_sandbox  # noqa: F401`), then e.g.
`account = stripe_sandbox.new_account()`, `settings.STRIPE_API_BASE = stripe_sandbox.base_url`,
`settings.STRIPE_SECRET_KEY = account.secret_key`, `stripe_sandbox.pay(session_id)`."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
import stripe

from faktura.demo import stripe_sandbox as demo

ROOT = Path(__file__).resolve().parent.parent
# Fast webhook retries and refunds for tests (Stripe's own retry over days).
RETRY_DELAYS = "0.5,1,2,4"
REFUND_DELAY = "1"
T = TypeVar("T")


@dataclass(frozen=True)
class Account:
    id: str
    secret_key: str
    publishable_key: str = ""


class PaymentRefused(Exception):
    """The sandbox refused to pay a session (expired, already paid, unknown card)."""


@dataclass
class StripeSandbox:
    base_url: str
    process: subprocess.Popen[str]
    log: Path

    def new_account(self, name: str = "Faktura Test Co", **extra: Any) -> Account:
        """A Stripe account of the test's own (its data is seen by nobody else)."""
        made = self.control("accounts", {"name": name, **extra})
        return Account(made["id"], made["secret_key"], made["publishable_key"])

    def environment(self, account: Account | None = None) -> dict[str, str]:
        """Faktura's STRIPE_* settings pointing at this sandbox (the demo account by default)."""
        env = demo.environment(self.base_url)
        if account is not None:
            env["STRIPE_SECRET_KEY"] = account.secret_key
        return env

    def client(self, account: Account) -> stripe.StripeClient:
        """The official `stripe` library's client, talking to this sandbox."""
        return stripe.StripeClient(account.secret_key, base_addresses={"api": self.base_url})

    # The control endpoint (stripe_sandbox/README.md)

    def control(self, what: str, body: dict[str, Any] | None = None, method: str = "POST") -> Any:
        answer = requests.request(
            method, f"{self.base_url}/control/{what}", json=body or {}, timeout=30
        )
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def pay(
        self,
        session_id: str,
        card: str = "4242424242424242",
        name: str = "Jane Payer",
        email: str | None = None,
    ) -> dict[str, Any]:
        """Pay a checkout session as its hosted page does: `{"outcome": "paid" | "declined" |
        "requires_action", "message", "session", "redirect"?}`."""
        body = {"card": card, "name": name, **({"email": email} if email else {})}
        answer = requests.post(
            f"{self.base_url}/control/checkout/sessions/{session_id}/pay", json=body, timeout=30
        )
        if answer.status_code == 409:
            raise PaymentRefused(answer.json()["error"])
        answer.raise_for_status()
        return dict(answer.json())

    def authenticate(self, session_id: str, complete: bool = True) -> dict[str, Any]:
        """Answer the 3D Secure page of a session paid with 4000 0025 0000 3184."""
        result = "complete" if complete else "fail"
        return dict(
            self.control(f"checkout/sessions/{session_id}/authenticate", {"result": result})
        )

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox's clock (expires sessions past their expires_at)."""
        self.control("clock", {"advance": seconds})

    def events(self, account: Account, type: str | None = None) -> list[dict[str, Any]]:
        """The account's events, oldest first."""
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 100, **({"type": type} if type else {})}
        while True:
            answer = requests.get(
                f"{self.base_url}/v1/events",
                params=params,
                headers={"Authorization": f"Bearer {account.secret_key}"},
                timeout=30,
            )
            answer.raise_for_status()
            page = answer.json()
            found.extend(page["data"])
            if not page["has_more"]:
                return found[::-1]
            params["starting_after"] = page["data"][-1]["id"]

    def deliveries(self, account: Account) -> list[dict[str, Any]]:
        """Every webhook delivery attempt for the account: event, type, url, status, attempt."""
        return list(self.control(f"deliveries?account={account.id}", method="GET")["deliveries"])

    def pending_deliveries(self, account: Account) -> int:
        """Deliveries of the account queued, held, waiting for a retry or being sent."""
        return int(self.control(f"deliveries?account={account.id}", method="GET")["pending"])

    def wait_quiet(self, account: Account, timeout: float = 30.0) -> None:
        """Until no delivery of the account is queued, retrying or being sent (held ones
        count: release them or close the account first)."""
        self.wait_for(
            lambda: self.pending_deliveries(account) == 0,
            timeout,
            f"the webhook deliveries of {account.id} to finish",
        )

    def close_account(self, account: Account) -> None:
        """End of a test: the account's endpoints are disabled, its queued, held and retrying
        deliveries dropped, and any being sent finished (so none reaches the next test's
        live server). Its API keeps answering."""
        self.control(f"accounts/{account.id}", method="DELETE")
        self.wait_quiet(account)

    def traffic(self, account: Account) -> list[dict[str, Any]]:
        """Every API request of the account: method, path, idempotency_key (or None), status."""
        return list(self.control(f"traffic?account={account.id}", method="GET")["requests"])

    def delivery(self, account: Account | None = None, **mode: Any) -> None:
        """How the account's next events are delivered (all accounts' without one):
        duplicate=N, reverse=True, delay=seconds, hold=True, parallel=True."""
        self.control("delivery", {**mode, **({"account": account.id} if account else {})})

    def release(self, account: Account | None = None) -> int:
        """Send the held deliveries (newest first if the mode says reverse)."""
        body = {"account": account.id} if account else {}
        return int(self.control("delivery/release", body)["released"])

    def normal_delivery(self, account: Account | None = None) -> None:
        query = f"?account={account.id}" if account else ""
        self.control(f"delivery{query}", method="DELETE")

    def resend(self, event_id: str, age: float = 0, secret: str | None = None) -> int:
        """Deliver an event again; `age` signs it that many seconds ago, `secret` with another
        secret (a receiver must refuse both)."""
        body: dict[str, Any] = {"age": age, **({"secret": secret} if secret else {})}
        return int(self.control(f"events/{event_id}/resend", body)["queued"])

    def wait_for(self, check: Callable[[], T], timeout: float = 30.0, what: str = "") -> T:
        """Poll `check` until it returns something truthy (webhooks arrive in the background)."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")
            time.sleep(0.05)


def start_sandbox(*extra: str) -> StripeSandbox:
    # Its log goes to a file a failing test can point to.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (the process writes it until stopped)
        "w", prefix="stripe_sandbox-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stripe_sandbox",
            "--port",
            "0",
            "--retry-delays",
            RETRY_DELAYS,
            "--refund-delay",
            REFUND_DELAY,
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+)", first)
    if not found:
        process.kill()
        raise RuntimeError(f"stripe_sandbox did not start: {first!r} (log: {log.name})")
    return StripeSandbox(found.group(1), process, Path(log.name))


def stop_sandbox(sandbox: StripeSandbox) -> None:
    sandbox.process.terminate()
    try:
        sandbox.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sandbox.process.kill()


def running_sandbox(*extra: str) -> Iterator[StripeSandbox]:
    sandbox = start_sandbox(*extra)
    try:
        yield sandbox
    finally:
        stop_sandbox(sandbox)


@pytest.fixture(scope="session")
def stripe_sandbox() -> Iterator[StripeSandbox]:
    """One stripe_sandbox process per test process (xdist worker)."""
    yield from running_sandbox()


@pytest.fixture
def stripe_test_account(stripe_sandbox: StripeSandbox) -> Iterator[Account]:
    """A Stripe account for one test, closed when the test ends (no late webhooks)."""
    account = stripe_sandbox.new_account()
    yield account
    stripe_sandbox.close_account(account)
