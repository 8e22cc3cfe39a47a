"""The sandbox's state and its clockwork: objects, accounts, events, idempotent answers, traffic,
and a timer thread that expires checkout sessions and settles refunds when their time comes."""

from __future__ import annotations

import secrets
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

from stripe_sandbox.store import Store, new_id, public
from stripe_sandbox.webhooks import Deliveries

API_VERSION = "2025-09-30.clover"
DEMO_ACCOUNT = "acct_1SandboxDemo0000"
DEMO_SECRET_KEY = "sk_test_sandboxDemo0000000000000000"
DEMO_PUBLISHABLE_KEY = "pk_test_sandboxDemo0000000000000000"
TICK = 0.1


@dataclass
class Request:
    """The API request an event came from (`request` in Stripe's event envelope)."""

    id: str | None = None
    idempotency_key: str | None = None


PAGE = Request()  # events caused by the hosted page or the control endpoint


@dataclass
class Saved:
    """An idempotent request's first answer, replayed for the same key and parameters."""

    fingerprint: str
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)


class Sandbox:
    def __init__(
        self,
        data: str = ":memory:",
        refund_delay: float = 1.0,
        retry_delays: tuple[float, ...] = (60.0, 300.0, 1800.0, 7200.0),
    ) -> None:
        self.store = Store(data)
        self.clock = self.store.clock
        self.refund_delay = refund_delay
        self.deliveries = Deliveries(self.store, retry_delays)
        self.idempotent: dict[tuple[str, str], Saved] = {}
        self.traffic: list[dict[str, Any]] = []
        self.traffic_lock = threading.Lock()
        # (due time on the sandbox clock, what to do): refunds settling.
        self.timers: list[tuple[float, str]] = []
        # Checkout sessions still open, which the timer thread expires when their time comes.
        self.open_sessions = {
            obj["id"]
            for obj in self.store.objects.values()
            if obj["object"] == "checkout.session" and obj["status"] == "open"
        }
        if self.store.get(DEMO_ACCOUNT, DEMO_ACCOUNT) is None:
            self.create_account("Sandbox Demo", DEMO_ACCOUNT, DEMO_SECRET_KEY, DEMO_PUBLISHABLE_KEY)
        # Refunds left pending by an earlier run settle after the usual delay.
        for obj in list(self.store.objects.values()):
            if obj["object"] == "refund" and obj["status"] == "pending":
                self.timers.append((self.clock.now() + refund_delay, obj["id"]))
        self.stopped = threading.Event()
        threading.Thread(target=self.tick_forever, daemon=True, name="stripe-timers").start()

    # Accounts

    def create_account(
        self,
        name: str = "Sandbox Business",
        account_id: str | None = None,
        secret_key: str | None = None,
        publishable_key: str | None = None,
        country: str = "US",
        currency: str = "usd",
        email: str | None = None,
    ) -> dict[str, Any]:
        token = secrets.token_hex(12)
        account = {
            "id": account_id or new_id("acct_1", 15),
            "object": "account",
            "business_profile": {
                "mcc": None,
                "name": name,
                "support_email": email,
                "support_phone": None,
                "support_url": None,
                "url": None,
            },
            "business_type": "company",
            "charges_enabled": True,
            "country": country,
            "created": self.clock.seconds(),
            "default_currency": currency,
            "details_submitted": True,
            "email": email,
            "metadata": {},
            "payouts_enabled": True,
            "type": "standard",
            "_secret_key": secret_key or f"sk_test_51{token}",
            "_publishable_key": publishable_key or f"pk_test_51{token}",
        }
        account["_account"] = account["id"]
        return self.store.put(account)

    # Events

    def emit(
        self,
        account: str,
        kind: str,
        obj: dict[str, Any],
        request: Request = PAGE,
        previous: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record an event about `obj` as it is now and queue its webhook deliveries."""
        data: dict[str, Any] = {"object": public(obj)}
        if previous is not None:
            data["previous_attributes"] = previous
        with self.store.lock:
            endpoints = self.deliveries.endpoints_for(account, kind)
            event = {
                "id": new_id("evt_1", 24),
                "object": "event",
                # Stripe renders events in the account's API version, not the request's.
                "api_version": API_VERSION,
                "created": self.clock.seconds(),
                "data": data,
                "livemode": False,
                "pending_webhooks": len(endpoints),
                "request": {"id": request.id, "idempotency_key": request.idempotency_key},
                "type": kind,
                "_account": account,
            }
            self.store.put(event)
        self.deliveries.queue(event, endpoints)
        return event

    # Traffic (what the control endpoint reports, so Faktura's tests can check PAY-7)

    def record(self, entry: dict[str, Any]) -> None:
        with self.traffic_lock:
            self.traffic.append(entry)

    def traffic_of(self, account: str | None) -> list[dict[str, Any]]:
        with self.traffic_lock:
            return [dict(e) for e in self.traffic if account is None or e["account"] == account]

    # Timers

    def later(self, seconds: float, what: str) -> None:
        with self.store.lock:
            self.timers.append((self.clock.now() + seconds, what))

    def tick_forever(self) -> None:
        while not self.stopped.wait(TICK):
            try:
                self.tick()
            except Exception as error:  # a bug must not stop the clockwork
                print(f"stripe_sandbox timers: {error!r}", file=sys.stderr, flush=True)

    def tick(self) -> None:
        from stripe_sandbox import checkout, refunds  # they import this module

        now = self.clock.now()
        with self.store.lock:
            due = [what for when, what in self.timers if when <= now]
            self.timers = [(when, what) for when, what in self.timers if when > now]
        for refund_id in due:
            refunds.settle(self, refund_id)
        checkout.expire_due(self)

    def stop(self) -> None:
        self.stopped.set()
        self.deliveries.stop()


def request_id() -> str:
    return new_id("req_", 14)
