"""The HTTP server: QBO's v3 API, Intuit's OAuth endpoints, the pages and the control endpoint."""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import secrets
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from qbo_sandbox import faults, oauth, pages
from qbo_sandbox.clock import qbo_time
from qbo_sandbox.companies import create_company
from qbo_sandbox.control import Faults, Rule, Traffic, rule_from
from qbo_sandbox.entities import BY_PATH, SINGLETONS, Entities
from qbo_sandbox.store import Store

API = re.compile(r"^/v3/company/(?P<realm>[^/]+)/(?P<rest>.+)$")
DISCOVERY_PATHS = (
    "/.well-known/openid-configuration",
    "/.well-known/openid_configuration",
    "/.well-known/openid_sandbox_configuration",
)
BATCH_LIMIT = 30
MAX_BODY = 10_000_000
QBO_VERSION = "1944.190"


class Answer(Exception):
    """A finished answer, raised from anywhere in a handler."""

    def __init__(
        self,
        status: int,
        body: dict[str, Any] | str | None,
        headers: dict[str, str] | None = None,
        content_type: str = "",
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type


class Dropped(Exception):
    """The connection was closed on purpose: nothing more is sent."""


class Sandbox:
    """The sandbox's state and behaviour, shared by the request threads."""

    def __init__(self, data: str = ":memory:", grace_seconds: float = 120.0) -> None:
        self.store = Store(data)
        self.oauth = oauth.OAuth(self.store, grace_seconds)
        self.entities = Entities(self.store)
        self.faults = Faults()
        self.traffic = Traffic()


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        super().__init__(address, Handler)
        self.sandbox = sandbox

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


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
        self.params = dict(parse_qsl(url.query, keep_blank_values=True))
        try:
            self.raw = self.read_body()
            self.route(method, url.path.rstrip("/") or "/")
        except Answer as answer:
            self.send(answer)
        except Dropped:
            pass
        except faults.Fault as fault:
            self.send(Answer(fault.status, fault.body(), fault.headers))
        except Exception as error:
            # A sandbox bug answers as QBO's SystemFault rather than a dropped connection.
            self.log_error("unexpected error: %r", error)
            failure = faults.system_fault()
            self.send(Answer(failure.status, failure.body()))

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            raise faults.unparseable(f"it is longer than {MAX_BODY} bytes")
        return self.rfile.read(length) if length else b""

    def send(self, answer: Answer) -> None:
        if isinstance(answer.body, dict):
            data = json.dumps(answer.body).encode()
            content_type = answer.content_type or "application/json;charset=utf-8"
        else:
            data = (answer.body or "").encode()
            content_type = answer.content_type or "text/html; charset=utf-8"
        self.send_response(answer.status)
        if data or answer.status != HTTPStatus.FOUND:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def route(self, method: str, path: str) -> None:
        if path in DISCOVERY_PATHS and method == "GET":
            raise Answer(200, oauth.discovery(self.server.base_url))
        if path == "/op/v1/jwks":
            raise Answer(200, {"keys": []})
        if path == "/connect/oauth2":
            self.authorize(method)
        if path == "/oauth2/v1/tokens/bearer" and method == "POST":
            self.token()
        if path == "/v2/oauth2/tokens/revoke" and method == "POST":
            self.revoke()
        if path == "/v1/openid_connect/userinfo":
            self.userinfo()
        if path.startswith("/control/"):
            self.control(method, path.removeprefix("/control/"))
        if path == "/" and method == "GET":
            raise Answer(200, pages.companies_index(self.app.store.companies()))
        if path == "/favicon.ico":  # browsers ask; an error would show in their console
            raise Answer(204, None)
        if path.startswith("/companies/") and method == "GET":
            self.documents(path.removeprefix("/companies/"))
        match = API.match(path)
        if match:
            self.api(method, match["realm"], match["rest"])
        raise faults.unsupported(f"{method} {path}")

    # OAuth

    def authorize(self, method: str) -> None:
        form = (
            self.params if method == "GET" else dict(parse_qsl(self.raw.decode(errors="replace")))
        )
        client_id, redirect_uri = form.get("client_id", ""), form.get("redirect_uri", "")
        try:
            self.app.oauth.check_authorize(client_id, redirect_uri, form.get("response_type", ""))
        except oauth.OAuthError as error:
            raise Answer(400, pages.refused(error.description or error.error)) from error
        if method == "GET":
            raise Answer(200, pages.consent(form, client_id, self.app.store.companies()))
        state = {"state": form["state"]} if "state" in form else {}
        if form.get("decision") != "connect":
            self.redirect(redirect_uri, {"error": "access_denied", **state})
        realm = form.get("realm_id", "")
        if realm == "new":
            realm = create_company(self.app.store, form.get("company_name") or "Sandbox Company")
        if not self.app.store.company_exists(realm):
            raise Answer(400, pages.refused("That company does not exist in this sandbox."))
        code = self.app.oauth.issue_code(client_id, redirect_uri, realm, form.get("scope", ""))
        self.redirect(redirect_uri, {"code": code, **state, "realmId": realm})

    def redirect(self, uri: str, params: dict[str, str]) -> None:
        joiner = "&" if urlsplit(uri).query else "?"
        raise Answer(302, None, {"Location": uri + joiner + urlencode(params)})

    def token(self) -> None:
        form = dict(parse_qsl(self.raw.decode(errors="replace")))
        try:
            body = self.app.oauth.token(self.headers.get("Authorization"), form)
        except oauth.OAuthError as error:
            raise Answer(error.status, error.body()) from error
        raise Answer(200, body, {"Cache-Control": "no-cache, no-store"})

    def revoke(self) -> None:
        text = self.raw.decode(errors="replace")
        try:
            token = str(json.loads(text).get("token", ""))
        except (ValueError, AttributeError):
            token = dict(parse_qsl(text)).get("token", "")
        try:
            self.app.oauth.revoke(self.headers.get("Authorization"), token)
        except oauth.OAuthError as error:
            raise Answer(error.status, error.body()) from error
        raise Answer(200, "", content_type="application/json")

    def userinfo(self) -> None:
        access, reason = self.app.oauth.access(self.headers.get("Authorization"))
        if access is None:
            raise Answer(401, {"error": "invalid_token", "error_description": reason})
        raise Answer(
            200,
            {
                "sub": f"sandbox-user-{access.realm_id}",
                "email": "demo@example.com",
                "emailVerified": True,
                "givenName": "Sandbox",
                "familyName": "User",
            },
        )

    # Pages

    def documents(self, realm: str) -> None:
        names = {c["realm_id"]: c["name"] for c in self.app.store.companies()}
        if realm not in names:
            raise Answer(404, pages.refused("No such company in this sandbox."))
        rows = {e: self.app.store.rows(realm, e) for e in (*pages.DOCUMENTS, *pages.LISTS)}
        raise Answer(200, pages.company_documents(names[realm], rows))

    # The v3 API

    def api(self, method: str, realm: str, rest: str) -> None:
        access, reason = self.app.oauth.access(self.headers.get("Authorization"))
        if access is None:
            now_ms = int(time.time() * 1000)
            raise Answer(
                401,
                faults.authentication_envelope(reason, now_ms),
                {"WWW-Authenticate": 'Bearer realm="Intuit", error="invalid_token"'},
            )
        if access.realm_id != realm:
            raise faults.forbidden_realm()
        accept = self.headers.get("Accept", "")
        if "xml" in accept and "json" not in accept and "*/*" not in accept:
            raise faults.validation(
                "500",
                "Unsupported Operation",
                "This sandbox answers in JSON only (Accept: application/json).",
            )
        if not self.app.traffic.enter(realm):
            raise faults.throttled()
        try:
            # Injected latency counts as time in flight, as a slow QBO answer does.
            injected = self.app.faults.take(("latency", "error", "throttle"), realm, method, rest)
            if injected is not None:
                self.injected(realm, injected)
            self.api_call(method, realm, rest)
        finally:
            self.app.traffic.leave(realm)

    def injected(self, realm: str, rule: Rule) -> None:
        if rule.kind == "latency":
            time.sleep(rule.seconds)
        elif rule.kind == "throttle":
            self.app.traffic.throttle(realm)
            raise faults.throttled(rule.retry_after)
        else:
            raise faults.system_fault(rule.status)

    def api_call(self, method: str, realm: str, rest: str) -> None:
        parts = rest.split("/")
        head = parts[0].lower()
        headers = {"intuit_tid": secrets.token_hex(16), "Qbo-Version": QBO_VERSION}
        if head == "query":
            text = self.params.get("query") if method == "GET" else self.text_body()
            raise Answer(200, {**self.query(realm, text or ""), "time": qbo_time()}, headers)
        if head == "batch" and method == "POST":
            raise Answer(
                200,
                {"BatchItemResponse": self.batch(realm, self.json_body()), "time": qbo_time()},
                headers,
            )
        entity = BY_PATH.get(head)
        if entity is None:
            raise faults.unsupported(f"{method} {head}")
        if method == "GET" and (len(parts) == 2 or entity in SINGLETONS):
            found = self.app.entities.read(realm, entity, parts[1] if len(parts) == 2 else "1")
            raise Answer(200, {entity: found, "time": qbo_time()}, headers)
        if method != "POST" or len(parts) != 1:
            raise faults.unsupported(f"{method} {rest}")
        body = self.json_body()
        request_id = self.params.get("requestid")
        with self.app.store.lock:
            if request_id:
                earlier = self.app.store.answer_for(realm, request_id)
                if earlier is not None:
                    raise Answer(earlier[0], earlier[1], headers)
            try:
                status, answer = 200, {entity: self.write(realm, entity, body), "time": qbo_time()}
            except faults.Fault as fault:
                status, answer = fault.status, fault.body()
            if request_id:
                self.app.store.keep_answer(realm, request_id, status, answer)
        if status == 200 and self.app.faults.take(("drop",), realm, method, rest):
            self.drop_connection()
        if status == 200 and (stall := self.app.faults.take(("stall",), realm, method, rest)):
            # Committed, and the answer comes late: a client killed meanwhile never hears it.
            time.sleep(stall.seconds)
        raise Answer(status, answer, headers)

    def write(self, realm: str, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        operation = self.params.get("operation", "")
        if operation == "delete":
            return self.app.entities.delete(realm, entity, body)
        if operation == "void" or (operation == "update" and self.params.get("include") == "void"):
            if operation == "void" and entity != "Invoice":
                raise faults.unsupported(f"void of {entity} (use operation=update&include=void)")
            if operation == "update" and entity == "Invoice":
                raise faults.unsupported("update&include=void of Invoice (use operation=void)")
            return self.app.entities.void(realm, entity, body)
        if operation == "update" or "Id" in body or entity in SINGLETONS:
            return self.app.entities.update(realm, entity, body)
        if operation not in ("", "create"):
            raise faults.unsupported(operation)
        return self.app.entities.create(realm, entity, body)

    def drop_connection(self) -> None:
        """The create is committed but the client never hears back."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        raise Dropped

    def query(self, realm: str, text: str) -> dict[str, Any]:
        try:
            query = importlib.import_module("qbo_sandbox.query")
        except ImportError as error:
            raise faults.unsupported("query (qbo_sandbox.query is not installed)") from error
        try:
            answer: dict[str, Any] = query.answer(
                text, lambda name: self.app.entities.rows_of(realm, name)
            )
        except query.QueryError as error:
            raise faults.validation(str(error.code), error.message, error.detail) from error
        return answer

    def batch(self, realm: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        items = body.get("BatchItemRequest")
        if not isinstance(items, list) or not items:
            raise faults.required_missing("BatchItemRequest")
        if len(items) > BATCH_LIMIT:
            raise faults.validation(
                "4000",
                "Batch request exceeds the limit",
                f"The batch holds {len(items)} items; the most a batch may hold is {BATCH_LIMIT}.",
            )
        return [self.batch_item(realm, item) for item in items]

    def batch_item(self, realm: str, item: dict[str, Any]) -> dict[str, Any]:
        bid = {"bId": item.get("bId", "")}
        try:
            if "Query" in item:
                return {**self.query(realm, str(item["Query"])), **bid}
            operation = item.get("operation", "create")
            names = [k for k in item if k in BY_PATH.values()]
            if len(names) != 1 or operation not in ("create", "update", "delete"):
                raise faults.unsupported(f"batch item {operation}")
            entity = names[0]
            entities = self.app.entities
            with self.app.store.lock:
                if operation == "create":
                    return {entity: entities.create(realm, entity, item[entity]), **bid}
                if operation == "update":
                    return {entity: entities.update(realm, entity, item[entity]), **bid}
                return {entity: entities.delete(realm, entity, item[entity]), **bid}
        except faults.Fault as fault:
            return {**fault.item(), **bid}

    def text_body(self) -> str:
        try:
            return self.raw.decode()
        except UnicodeDecodeError as error:
            raise faults.unparseable("it is not UTF-8") from error

    def json_body(self) -> dict[str, Any]:
        content_type = self.headers.get("Content-Type", "application/json")
        if "json" not in content_type:
            raise faults.unsupported(f"{content_type} body (send application/json)")
        try:
            body = json.loads(self.text_body() or "{}")
        except ValueError as error:
            raise faults.unparseable(f"it is not JSON ({error})") from error
        if not isinstance(body, dict):
            raise faults.unparseable("it is not a JSON object")
        return body

    # Control endpoint (fault injection and setup for tests and demos)

    def control(self, method: str, what: str) -> None:
        data = self.json_body() if method == "POST" else {}
        app = self.app
        if what == "clients" and method == "POST":
            client_id = data.get("client_id") or "AB" + secrets.token_hex(24)
            secret = data.get("client_secret") or secrets.token_urlsafe(30)
            app.oauth.register(client_id, secret, list(data.get("redirect_uris", [])))
            raise Answer(200, {"client_id": client_id, "client_secret": secret})
        if what == "companies" and method == "POST":
            realm = create_company(app.store, str(data.get("name") or "Sandbox Company"))
            raise Answer(200, {"realmId": realm})
        if what == "faults" and method == "POST":
            try:
                raise Answer(200, {"id": app.faults.add(rule_from(data))})
            except ValueError as error:
                raise Answer(400, {"error": str(error)}) from error
        if what == "faults" and method == "DELETE":
            app.faults.clear()
            raise Answer(200, {"cleared": True})
        if what == "tokens/expire" and method == "POST":
            raise Answer(200, {"expired": app.oauth.expire_access_tokens(str(data["realmId"]))})
        if what == "tokens/revoke" and method == "POST":
            raise Answer(200, {"revoked": app.oauth.revoke_realm(str(data["realmId"]))})
        if what == "clock" and method == "POST":
            app.store.clock.advance(float(data.get("advance", 0)))
            raise Answer(200, {"offset": app.store.clock.offset})
        if what == "limits" and method == "POST":
            limits = app.traffic.limits
            limits.per_minute = int(data.get("per_minute", limits.per_minute))
            limits.concurrent = int(data.get("concurrent", limits.concurrent))
            raise Answer(200, {"per_minute": limits.per_minute, "concurrent": limits.concurrent})
        if what == "traffic" and method == "GET":
            raise Answer(200, {**app.traffic.report(), "token_pairs": app.oauth.token_pairs()})
        raise Answer(404, {"error": f"no control operation {method} /control/{what}"})


def serve(
    port: int = 0, host: str = "127.0.0.1", data: str = ":memory:", grace_seconds: float = 120.0
) -> SandboxServer:
    """A started sandbox server (in a daemon thread); stop it with .shutdown()."""
    server = SandboxServer((host, port), Sandbox(data, grace_seconds))
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="qbo-sandbox"
    ).start()
    return server
