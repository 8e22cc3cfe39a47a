"""Fixtures: a sandbox server in this process on a free port, an account of the test's own, the
official `stripe` library pointed at it, and a small HTTP server receiving webhooks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
import stripe

from stripe_sandbox.server import SandboxServer, serve


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = serve(port=0, refund_delay=0.3, retry_delays=(0.3, 0.6, 1.2))
    yield server
    server.shutdown()
    server.server_close()


@dataclass
class Account:
    id: str
    secret_key: str
    base_url: str

    def control(self, what: str, body: dict[str, Any] | None = None) -> Any:
        answer = requests.post(f"{self.base_url}/control/{what}", json=body or {}, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def get(self, what: str) -> Any:
        answer = requests.get(f"{self.base_url}/control/{what}", timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.secret_key}", **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.base_url}{path}", headers=headers, timeout=10, **kwargs
        )


@pytest.fixture
def account(sandbox: SandboxServer) -> Account:
    made = requests.post(f"{sandbox.base_url}/control/accounts", json={}, timeout=10).json()
    return Account(made["id"], made["secret_key"], sandbox.base_url)


@pytest.fixture
def client(sandbox: SandboxServer, account: Account) -> stripe.StripeClient:
    # The only override: the API's base address.
    return stripe.StripeClient(account.secret_key, base_addresses={"api": sandbox.base_url})


SESSION = {
    "mode": "payment",
    "line_items": [
        {
            "price_data": {
                "currency": "eur",
                "unit_amount": 12000,
                "product_data": {"name": "Invoice INV-0001"},
            },
            "quantity": 1,
        }
    ],
    "success_url": "http://127.0.0.1:9/paid?session={CHECKOUT_SESSION_ID}",
    "cancel_url": "http://127.0.0.1:9/invoice",
    "client_reference_id": "invoice-1",
    "customer_email": "payer@example.com",
    "metadata": {"invoice": "1"},
    "payment_intent_data": {"metadata": {"invoice": "1"}},
}


def new_session(client: stripe.StripeClient, **changes: Any) -> stripe.checkout.Session:
    return client.v1.checkout.sessions.create(params={**SESSION, **changes})  # type: ignore[arg-type]


@dataclass
class Receiver:
    """Webhook requests as received; answers with `statuses` in turn, then 200."""

    url: str = ""
    base_url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(r["body"]) for r in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with state.lock:
                state.received.append({"headers": dict(self.headers), "body": body})
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            # A success_url or cancel_url the hosted page sends the browser to.
            page = f"<html><body><h1>Back at the seller</h1><p>{self.path}</p></body></html>"
            data = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    state.url = f"{state.base_url}/hooks"
    yield state
    server.shutdown()
    server.server_close()


def wait_for(check: Any, timeout: float = 20.0) -> Any:
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {check}"
        time.sleep(0.02)
