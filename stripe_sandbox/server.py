"""The HTTP server: Stripe's v1 API, the hosted checkout page and the control endpoint."""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from stripe_sandbox import checkout, customers, form, pages, params, refunds
from stripe_sandbox.errors import StripeError
from stripe_sandbox.expand import page, render
from stripe_sandbox.pages import authentication, closed
from stripe_sandbox.pages import checkout as checkout_page
from stripe_sandbox.sandbox import API_VERSION, Request, Sandbox, Saved, request_id
from stripe_sandbox.store import new_id, public
from stripe_sandbox.webhooks import Mode

MAX_BODY = 1_000_000
SESSION = re.compile(r"^/v1/checkout/sessions/(?P<id>[^/]+)(?P<rest>/expire|/line_items)?$")
OBJECT = re.compile(
    r"^/v1/(?P<kind>payment_intents|charges|balance_transactions|refunds|customers|events|"
    r"webhook_endpoints)/(?P<id>[^/]+)$"
)
PAY_PAGE = re.compile(r"^/c/pay/(?P<id>[^/]+)(?P<auth>/authenticate)?$")
CONTROL_SESSION = re.compile(r"^checkout/sessions/(?P<id>[^/]+)/(?P<what>pay|authenticate)$")
CONTROL_ACCOUNT = re.compile(r"^accounts/(?P<id>acct_[^/]+)$")
CONTROL_RESEND = re.compile(r"^events/(?P<id>[^/]+)/resend$")
KINDS = {
    "payment_intents": ("payment_intent", "intent"),
    "charges": ("charge", "charge"),
    "balance_transactions": ("balance_transaction", "id"),
    "refunds": ("refund", "id"),
    "customers": ("customer", "id"),
    "events": ("event", "id"),
    "webhook_endpoints": ("webhook_endpoint", "webhook_endpoint"),
}
NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)
IDEMPOTENCY_MISMATCH = (
    "Keys for idempotent requests can only be used with the same parameters they were first "
    "used with. Try using a key other than '{key}' if you meant to execute a different request."
)
IDEMPOTENCY_BUSY = (
    "There is currently another in-progress request using this Idempotent Key (that probably "
    "means you submitted twice, and the other request is still going through): {key}. Please "
    "try again later."
)
WEBHOOK_EVENTS = frozenset({
    "charge.failed", "charge.refund.updated", "charge.refunded", "charge.succeeded",
    "charge.updated", "checkout.session.async_payment_failed",
    "checkout.session.async_payment_succeeded", "checkout.session.completed",
    "checkout.session.expired", "customer.created", "customer.updated", "payment_intent.canceled",
    "payment_intent.created", "payment_intent.payment_failed", "payment_intent.processing",
    "payment_intent.requires_action", "payment_intent.succeeded", "refund.created",
    "refund.failed", "refund.updated",
})  # fmt: skip


class Answer(Exception):
    def __init__(
        self,
        status: int,
        body: dict[str, Any] | list[Any] | str | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        super().__init__(address, Handler)
        self.sandbox = sandbox

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def server_close(self) -> None:
        self.sandbox.stop()
        super().server_close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: SandboxServer

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log (tests make many requests); errors are still logged."""

    @property
    def app(self) -> Sandbox:
        return self.server.sandbox

    def do_GET(self) -> None:
        self.dispatch("GET")

    def do_POST(self) -> None:
        self.dispatch("POST")

    def do_DELETE(self) -> None:
        self.dispatch("DELETE")

    def dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        self.query = url.query
        self.request_id = request_id()
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.close_connection = True
                raise Answer(413, {"error": "request body too large"})
            self.raw = self.rfile.read(length) if length else b""
            if path.startswith("/v1/"):
                self.api(method, path)
            elif path.startswith("/control/"):
                self.control(method, path.removeprefix("/control/"))
            elif path.startswith("/c/pay/"):
                self.hosted(method, path)
            elif path == "/favicon.ico":
                raise Answer(204, None)
            elif path == "/":
                raise Answer(200, pages.layout("stripe_sandbox", "<h1>stripe_sandbox</h1>"))
            raise Answer(404, pages.closed("There is nothing here."))
        except Answer as answer:
            self.send(answer)
        except Exception as error:
            self.log_error("unexpected error: %r", error)
            failure = StripeError(500, "api_error", f"stripe_sandbox failed: {error!r}")
            self.send(Answer(500, failure.body(self.request_id)))

    def send(self, answer: Answer) -> None:
        if isinstance(answer.body, (dict, list)):
            data = json.dumps(answer.body, indent=2).encode()
            content_type = "application/json"
        else:
            data = (answer.body or "").encode()
            content_type = "text/html; charset=utf-8"
        self.send_response(answer.status)
        if data:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    # The API

    def api(self, method: str, path: str) -> None:
        version = self.headers.get("Stripe-Version") or API_VERSION
        key = self.headers.get("Idempotency-Key")
        headers = {"Request-Id": self.request_id, "Stripe-Version": version}
        if key and method == "POST":
            headers["Idempotency-Key"] = key
        entry: dict[str, Any] = {
            "account": None,
            "method": method,
            "path": path,
            "idempotency_key": key,
            "status": None,
            "replayed": False,
            "request_id": self.request_id,
            "stripe_version": self.headers.get("Stripe-Version"),
            "at": time.time(),
        }
        try:
            account = self.authenticate()
            entry["account"] = account["id"]
            text = self.raw.decode(errors="replace") if method == "POST" else self.query
            params_ = form.parse(text)
            if method == "DELETE" and self.query:
                params_ = form.parse(self.query)
            request = Request(self.request_id, key if method == "POST" else None)
            if key and method == "POST":
                status, body, replayed = self.idempotent(account["id"], key, path, params_, request)
                entry["replayed"] = replayed
                if replayed:
                    headers["Idempotent-Replayed"] = "true"
                    headers["Original-Request"] = str(body.pop("_request_id", ""))
                else:
                    body.pop("_request_id", None)
            else:
                status, body = self.call(method, path, account["id"], params_, request)
        except StripeError as error:
            status, body = error.status, error.body(self.request_id)
            if status == 401:
                headers["WWW-Authenticate"] = 'Bearer realm="Stripe"'
        entry["status"] = status
        self.app.record(entry)
        raise Answer(status, body, headers)

    def authenticate(self) -> dict[str, Any]:
        header = self.headers.get("Authorization") or ""
        scheme, _, credential = header.partition(" ")
        key = ""
        if scheme.lower() == "bearer":
            key = credential.strip()
        elif scheme.lower() == "basic":
            try:
                key = base64.b64decode(credential.strip()).decode().partition(":")[0]
            except ValueError:
                key = ""
        if not key:
            raise StripeError(401, "invalid_request_error", NO_KEY)
        account = self.app.store.account_for_key(key)
        if account is None:
            shown = key[:8] + "*" * max(len(key) - 12, 4) + key[-4:]
            raise StripeError(
                401,
                "invalid_request_error",
                f"Invalid API Key provided: {shown}",
                "api_key_invalid",
            )
        return account

    def idempotent(
        self, account: str, key: str, path: str, params_: dict[str, Any], request: Request
    ) -> tuple[int, dict[str, Any], bool]:
        fingerprint = json.dumps([path, params_], sort_keys=True)
        with self.app.store.lock:
            saved = self.app.idempotent.get((account, key))
            first = saved is None
            if saved is None:
                saved = Saved(fingerprint)
                self.app.idempotent[(account, key)] = saved
        if not first:
            if saved.fingerprint != fingerprint:
                raise StripeError(400, "idempotency_error", IDEMPOTENCY_MISMATCH.format(key=key))
            if not saved.done.wait(timeout=0):
                raise StripeError(409, "idempotency_error", IDEMPOTENCY_BUSY.format(key=key))
            return saved.status, json.loads(json.dumps(saved.body)), True
        try:
            status, body = self.call("POST", path, account, params_, request)
        except StripeError as error:
            if error.status >= 500 or error.status in (400, 401, 404, 409):
                # Stripe keeps no result for requests refused before they ran.
                with self.app.store.lock:
                    self.app.idempotent.pop((account, key), None)
                raise
            status, body = error.status, error.body(self.request_id)
        saved.status, saved.body = status, {**body, "_request_id": self.request_id}
        saved.done.set()
        return status, {**body, "_request_id": self.request_id}, False

    def call(
        self, method: str, path: str, account: str, form_: dict[str, Any], request: Request
    ) -> tuple[int, dict[str, Any]]:
        app = self.app
        if path == "/v1/account" and method == "GET":
            found = app.store.get(account, account, "account")
            assert found is not None
            return 200, public(found)
        if path == "/v1/checkout/sessions":
            if method == "POST":
                session = checkout.create(app, account, form_, request, self.server.base_url)
                return 200, render(app, account, session, form_)
            if method == "GET":
                return 200, self.list_of(
                    account,
                    "checkout.session",
                    form_,
                    path,
                    ("payment_intent", "customer", "status"),
                )
        match = SESSION.match(path)
        if match:
            session_id, rest = match["id"], match["rest"]
            if rest is None and method == "GET":
                return 200, render(app, account, checkout.get(app, account, session_id), form_)
            if rest == "/expire" and method == "POST":
                session = checkout.expire(app, account, session_id, request)
                return 200, render(app, account, session, form_)
            if rest == "/line_items" and method == "GET":
                session = checkout.get(app, account, session_id)
                listed = page(checkout.line_items(session), form_, path)
                return 200, render(app, account, listed, form_)
        if path == "/v1/refunds":
            if method == "POST":
                return 200, render(
                    app, account, refunds.create(app, account, form_, request), form_
                )
            if method == "GET":
                return 200, self.list_of(
                    account, "refund", form_, path, ("payment_intent", "charge")
                )
        if path == "/v1/customers" and method == "POST":
            customer = customers.create(app, account, form_)
            app.emit(account, "customer.created", customer, request)
            return 200, render(app, account, customer, form_)
        if path == "/v1/webhook_endpoints":
            if method == "POST":
                return 200, self.create_endpoint(account, form_)
            if method == "GET":
                return 200, self.list_of(account, "webhook_endpoint", form_, path, ())
        if path == "/v1/events" and method == "GET":
            return 200, self.list_of(account, "event", form_, path, ("type",))
        match = OBJECT.match(path)
        if match:
            kind, param = KINDS[match["kind"]]
            found = app.store.get(account, match["id"], kind)
            if found is None:
                raise StripeError.no_such(kind, match["id"], param)
            if method == "GET":
                return 200, render(app, account, found, form_)
            if method == "DELETE" and kind == "webhook_endpoint":
                app.store.delete(found["id"])
                return 200, {"id": found["id"], "object": "webhook_endpoint", "deleted": True}
        raise StripeError.not_found(method, path)

    def list_of(
        self,
        account: str,
        kind: str,
        form_: dict[str, Any],
        path: str,
        filters: tuple[str, ...],
    ) -> dict[str, Any]:
        allowed = {"limit", "starting_after", "ending_before", "expand", *filters}
        if kind == "event":
            allowed |= {"created", "types", "delivery_success"}
        params.known(form_, allowed)
        objects = self.app.store.all(account, kind)
        if kind == "checkout.session":
            for session in objects:
                checkout.expire_if_due(self.app, session)
        for name in filters:
            value = params.text(form_, name)
            if value is None:
                continue
            if name == "type":
                # Stripe's wildcards: type=charge.* or type=*.succeeded.
                objects = [o for o in objects if fnmatch.fnmatchcase(o["type"], value)]
            else:
                # A session's payment intent is found before the session shows it (paid).
                objects = [o for o in objects if value in (o.get(name), o.get(f"_{name}"))]
        kinds = params.listed(form_, "types")
        if kinds:
            objects = [o for o in objects if o["type"] in kinds]
        return render(self.app, account, page(objects, form_, path), form_)

    def create_endpoint(self, account: str, form_: dict[str, Any]) -> dict[str, Any]:
        params.known(
            form_,
            {
                "url",
                "enabled_events",
                "description",
                "metadata",
                "api_version",
                "connect",
                "expand",
            },
        )
        url = checkout.url_param(params.required_text(form_, "url"), "url")
        events = [str(e) for e in params.listed(form_, "enabled_events")]
        if not events:
            raise StripeError.missing_param("enabled_events")
        for index, name in enumerate(events):
            if name != "*" and name not in WEBHOOK_EVENTS:
                raise StripeError.invalid(
                    f"Invalid enabled_events[{index}]: must be one of "
                    f"{', '.join(sorted(WEBHOOK_EVENTS))}, or *",
                    f"enabled_events[{index}]",
                )
        secret = "whsec_" + new_id("", 32)
        endpoint = self.app.store.put(
            {
                "id": new_id("we_1", 24),
                "object": "webhook_endpoint",
                "api_version": params.text(form_, "api_version"),
                "application": None,
                "created": self.app.clock.seconds(),
                "description": params.text(form_, "description"),
                "enabled_events": events,
                "livemode": False,
                "metadata": params.metadata(form_),
                "status": "enabled",
                "url": url,
                "_account": account,
                "_secret": secret,
            }
        )
        return {**public(endpoint), "secret": secret}

    # The hosted checkout page

    def hosted(self, method: str, path: str) -> None:
        match = PAY_PAGE.match(path)
        if match is None:
            raise Answer(404, closed("There is nothing here."))
        session = checkout.find(self.app, match["id"])
        if session is None:
            raise Answer(404, closed("This checkout page does not exist."))
        seller = self.seller_name(session)
        if session["status"] == "expired":
            raise Answer(200, closed("This checkout session has expired.", session, seller))
        if session["status"] == "complete":
            raise Answer(200, closed("This checkout session is already paid.", session, seller))
        fields = dict(parse_qsl(self.raw.decode(errors="replace"))) if method == "POST" else {}
        if match["auth"]:
            if method == "GET":
                raise Answer(200, authentication(session, seller))
            self.outcome_page(
                session,
                seller,
                lambda: checkout.authenticate(
                    self.app, session["id"], fields.get("result") == "complete"
                ),
                fields,
            )
        if method == "GET":
            raise Answer(200, checkout_page(session, seller))
        problem = card_fields_problem(fields)
        if problem:
            raise Answer(200, checkout_page(session, seller, problem, fields))
        self.outcome_page(
            session,
            seller,
            lambda: checkout.pay(
                self.app,
                session["id"],
                fields.get("cardnumber", ""),
                fields.get("name") or None,
                fields.get("email") or None,
            ),
            fields,
        )

    def outcome_page(
        self, session: dict[str, Any], seller: str, act: Any, fields: dict[str, str]
    ) -> None:
        try:
            outcome = act()
        except checkout.Refused as refusal:
            raise Answer(200, checkout_page(session, seller, str(refusal), fields)) from refusal
        if outcome.status == "paid":
            raise Answer(303, None, {"Location": checkout.success_redirect(outcome.session)})
        if outcome.status == "requires_action":
            raise Answer(303, None, {"Location": f"/c/pay/{session['id']}/authenticate"})
        raise Answer(200, checkout_page(session, seller, outcome.message, fields))

    def seller_name(self, session: dict[str, Any]) -> str:
        account = self.app.store.objects.get(session["_account"], {})
        return str((account.get("business_profile") or {}).get("name") or "Sandbox Business")

    # The control endpoint

    def close_account(self, account_id: str) -> dict[str, Any]:
        """A test is done with its account: no more deliveries from it (its endpoints are
        disabled, its queued and held deliveries dropped); the API keeps answering."""
        app = self.app
        if app.store.get(account_id, account_id, "account") is None:
            raise Answer(404, {"error": f"no account {account_id}"})
        with app.store.lock:
            endpoints = app.store.all(account_id, "webhook_endpoint")
            for endpoint in endpoints:
                endpoint["status"] = "disabled"
                app.store.put(endpoint)
        return {
            "disabled_endpoints": len(endpoints),
            "dropped_deliveries": app.deliveries.close(account_id),
        }

    def control(self, method: str, what: str) -> None:
        app = self.app
        query = dict(parse_qsl(self.query))
        try:
            data = json.loads(self.raw or b"{}") if method == "POST" else {}
            if not isinstance(data, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as error:
            raise Answer(400, {"error": f"the body is not a JSON object: {error}"}) from error
        if what == "accounts" and method == "POST":
            account = app.create_account(
                str(data.get("name") or "Sandbox Business"),
                country=str(data.get("country") or "US"),
                currency=str(data.get("default_currency") or "usd"),
                email=data.get("email"),
            )
            raise Answer(
                200,
                {
                    "id": account["id"],
                    "secret_key": account["_secret_key"],
                    "publishable_key": account["_publishable_key"],
                },
            )
        match = CONTROL_ACCOUNT.match(what)
        if match and method == "DELETE":
            raise Answer(200, self.close_account(match["id"]))
        match = CONTROL_SESSION.match(what)
        if match and method == "POST":
            try:
                if match["what"] == "pay":
                    outcome = checkout.pay(
                        app,
                        match["id"],
                        str(data.get("card") or "4242424242424242"),
                        data.get("name"),
                        data.get("email"),
                    )
                else:
                    outcome = checkout.authenticate(
                        app, match["id"], str(data.get("result", "complete")) == "complete"
                    )
            except checkout.Refused as refusal:
                raise Answer(409, {"error": str(refusal)}) from refusal
            answer: dict[str, Any] = {
                "outcome": outcome.status,
                "message": outcome.message,
                "session": public(outcome.session),
            }
            if outcome.status == "paid":
                answer["redirect"] = checkout.success_redirect(outcome.session)
            if outcome.status == "requires_action":
                answer["authenticate_url"] = (
                    f"{self.server.base_url}/c/pay/{match['id']}/authenticate"
                )
            raise Answer(200, answer)
        if what == "delivery":
            # {"account": "acct_…"} (body or query) limits the change to one account.
            scope = data.pop("account", None) or query.get("account")
            if method == "POST":
                try:
                    app.deliveries.set_mode(Mode.from_json(data), scope)
                except (ValueError, TypeError) as error:
                    raise Answer(400, {"error": str(error)}) from error
            elif method == "DELETE":
                app.deliveries.reset(scope)
            held = [j for j in app.deliveries.held if scope in (None, j.event["_account"])]
            raise Answer(200, {**app.deliveries.mode_for(scope).as_json(), "held": len(held)})
        if what == "delivery/release" and method == "POST":
            scope = data.get("account") or query.get("account")
            raise Answer(200, {"released": app.deliveries.release(scope)})
        if what == "deliveries" and method == "GET":
            scope = query.get("account")
            raise Answer(
                200,
                {
                    "deliveries": app.deliveries.report(scope),
                    "pending": app.deliveries.pending(scope),
                },
            )
        match = CONTROL_RESEND.match(what)
        if match and method == "POST":
            event = app.store.objects.get(match["id"])
            if event is None or event["object"] != "event":
                raise Answer(404, {"error": f"no event {match['id']}"})
            try:
                age = float(data.get("age", 0))
            except (TypeError, ValueError) as error:
                raise Answer(400, {"error": "age must be a number of seconds"}) from error
            secret = data.get("secret")
            raise Answer(200, {"queued": app.deliveries.resend(event, age, secret)})
        if what == "traffic" and method == "GET":
            raise Answer(200, {"requests": app.traffic_of(query.get("account"))})
        if what == "clock" and method == "POST":
            try:
                offset = app.clock.advance(float(data.get("advance", 0)))
            except (TypeError, ValueError) as error:
                raise Answer(400, {"error": "advance must be a number of seconds"}) from error
            app.tick()
            raise Answer(200, {"offset": offset, "now": app.clock.seconds()})
        raise Answer(404, {"error": f"no control operation {method} /control/{what}"})


def card_fields_problem(fields: dict[str, str]) -> str:
    """What the hosted page says about a missing or malformed card field, or ""."""
    if not fields.get("email", "").strip():
        return "Enter your email address."
    number = "".join(fields.get("cardnumber", "").split())
    if not number:
        return "Your card number is incomplete."
    expiry = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", fields.get("expiry", ""))
    if not expiry:
        return "Your card's expiration date is incomplete."
    month, year = int(expiry[1]), int(expiry[2][-2:]) + 2000
    now = time.gmtime()
    if not 1 <= month <= 12 or (year, month) < (now.tm_year, now.tm_mon):
        return "Your card's expiration date is in the past."
    if not re.fullmatch(r"\d{3,4}", fields.get("cvc", "").strip()):
        return "Your card's security code is incomplete."
    return ""


def serve(port: int = 0, host: str = "127.0.0.1", **options: Any) -> SandboxServer:
    """A started sandbox server (in a daemon thread); stop it with .shutdown(), .server_close()."""
    server = SandboxServer((host, port), Sandbox(**options))
    threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        daemon=True,
        name="stripe-sandbox",
    ).start()
    return server
