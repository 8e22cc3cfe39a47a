"""Every answer the sandbox gives, checked against Stripe's OpenAPI description of that path and
status (vendor/stripe-openapi/subset.json), with no field Stripe does not have: OpenAPI 3.0's
`nullable` becomes a JSON Schema null type and every object schema gets
`additionalProperties: false`. Event payloads' `data.object` are checked against the schema of
their object type, and so are the webhook deliveries."""

from __future__ import annotations

import json
import re
import time
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs installed
import pytest
import requests

from stripe_sandbox.tests.conftest import SESSION, Account, Receiver, wait_for

SUBSET = Path(__file__).resolve().parent.parent / "vendor" / "stripe-openapi" / "subset.json"
PREFIX = "#/components/schemas/"
# Object types (an object's `object` field) whose schema is named otherwise.
SCHEMA_OF = {"list": None}


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema → JSON Schema (2020-12), strict about unknown fields."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-") or key == "nullable":
            continue
        if key == "$ref":
            out["$ref"] = "#/$defs/" + value.removeprefix(PREFIX)
        elif key == "properties":
            out["properties"] = {name: to_json_schema(child) for name, child in value.items()}
        else:
            out[key] = to_json_schema(value)
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "$ref" in out or "anyOf" in out or "type" not in out:
            return {"anyOf": [out, {"type": "null"}]}
        out["type"] = [out["type"], "null"]
    return out


@cache
def spec() -> dict[str, Any]:
    return dict(json.loads(SUBSET.read_text()))


@cache
def defs() -> dict[str, Any]:
    return {
        name: to_json_schema(schema) for name, schema in spec()["components"]["schemas"].items()
    }


def validate(schema: dict[str, Any], instance: Any, where: str) -> None:
    document = {**to_json_schema(schema), "$defs": defs()}
    validator = jsonschema.Draft202012Validator(document)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for error in errors[:10]:
            deepest = cause(error)
            path = "/".join(str(p) for p in deepest.absolute_path)
            lines.append(f"{path}: {deepest.message[:300]}")
        pytest.fail(f"{where} does not match Stripe's schema:\n" + "\n".join(lines))


def cause(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """anyOf failures hide the real cause in their context: the deepest leaf that is not a mere
    type mismatch (the other branches of an anyOf fail on their type)."""
    leaves: list[jsonschema.ValidationError] = []
    todo = [error]
    while todo:
        current = todo.pop()
        if current.context:
            todo.extend(current.context)
        else:
            leaves.append(current)
    return max(leaves, key=lambda e: (e.validator != "type", len(e.absolute_path)))


def template_of(path: str) -> str:
    for template in spec()["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return str(template)
    raise AssertionError(f"no OpenAPI path for {path}")


def response_schema(method: str, path: str, status: int) -> dict[str, Any]:
    responses = spec()["paths"][template_of(path)][method.lower()]["responses"]
    answer = responses.get(str(status)) or responses["default"]
    return dict(answer["content"]["application/json"]["schema"])


def object_schema(obj: dict[str, Any]) -> dict[str, Any]:
    return {"$ref": PREFIX + obj["object"]}


class Checked:
    """API calls whose answers are checked as they come; `seen` counts (method, path, status)."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.seen: set[tuple[str, str, int]] = set()
        self.objects: list[dict[str, Any]] = []

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        answer = self.account.api(method, path, **kwargs)
        assert answer.status_code == expect, answer.text
        body = answer.json()
        validate(response_schema(method, path, answer.status_code), body, f"{method} {path}")
        self.seen.add((method, template_of(path), answer.status_code))
        return body

    def get(
        self, path: str, expect: int = 200, expand: list[str] | None = None, **params: Any
    ) -> Any:
        return self.call("GET", path, expect, params={**params, "expand[]": expand or []})

    def post(self, path: str, data: Any = None, expect: int = 200, **kwargs: Any) -> Any:
        return self.call("POST", path, expect, data=data or {}, **kwargs)


def form(params: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's bracket encoding, as the libraries write it."""
    pairs: list[tuple[str, str]] = []
    items = params.items() if isinstance(params, dict) else enumerate(params)
    for key, value in items:
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, (dict, list)):
            pairs += form(value, name)  # type: ignore[arg-type]
        elif value is not None:
            pairs.append((name, str(value)))
    return pairs


def pay(account: Account, session_id: str, card: str) -> dict[str, Any]:
    return dict(account.control(f"checkout/sessions/{session_id}/pay", {"card": card}))


def test_every_answer_matches_stripes_schema(account: Account, receiver: Receiver) -> None:
    api = Checked(account)
    endpoint = api.post(
        "/v1/webhook_endpoints", form({"url": receiver.url, "enabled_events": ["*"]})
    )
    api.get("/v1/webhook_endpoints")
    api.get(f"/v1/webhook_endpoints/{endpoint['id']}")
    api.get("/v1/account")
    customer = api.post(
        "/v1/customers", form({"email": "c@example.com", "name": "C", "metadata": {"k": "v"}})
    )
    api.get(f"/v1/customers/{customer['id']}")
    api.get("/v1/customers/cus_missing", 404)

    # Paid with 4242, after a decline; retrieved with every expansion.
    session = api.post(
        "/v1/checkout/sessions",
        form({**SESSION, "expand": ["line_items"]}),
        headers={"Idempotency-Key": "conformance-1"},
    )
    api.post(
        "/v1/checkout/sessions",
        form({**SESSION, "expand": ["line_items"]}),
        headers={"Idempotency-Key": "conformance-1"},
    )
    api.post(
        "/v1/checkout/sessions",
        form({**SESSION, "client_reference_id": "other"}),
        400,
        headers={"Idempotency-Key": "conformance-1"},
    )
    api.post("/v1/checkout/sessions", form({**SESSION, "mode": None}), 400)
    api.post("/v1/checkout/sessions", form({**SESSION, "bogus": "1"}), 400)
    assert pay(account, session["id"], "4000000000000002")["outcome"] == "declined"
    api.get(f"/v1/checkout/sessions/{session['id']}")
    assert pay(account, session["id"], "4242424242424242")["outcome"] == "paid"
    paid = api.get(
        f"/v1/checkout/sessions/{session['id']}",
        expand=["payment_intent.latest_charge.balance_transaction", "line_items"],
    )
    intent = paid["payment_intent"]
    api.get(f"/v1/payment_intents/{intent['id']}", expand=["latest_charge"])
    api.get(f"/v1/charges/{intent['latest_charge']['id']}")
    api.get(f"/v1/balance_transactions/{intent['latest_charge']['balance_transaction']['id']}")
    api.get("/v1/checkout/sessions", payment_intent=intent["id"])
    api.get(f"/v1/checkout/sessions/{session['id']}/line_items")
    api.get("/v1/checkout/sessions/cs_test_missing", 404)
    api.get("/v1/payment_intents/pi_missing", 404)

    # With a customer; waiting for authentication; then expired.
    waiting = api.post(
        "/v1/checkout/sessions",
        form({**SESSION, "customer": customer["id"], "customer_email": None}),
    )
    api.get(f"/v1/checkout/sessions/{waiting['id']}", expand=["customer"])
    assert pay(account, waiting["id"], "4000002500003184")["outcome"] == "requires_action"
    api.post(f"/v1/checkout/sessions/{waiting['id']}/expire")
    api.post(f"/v1/checkout/sessions/{waiting['id']}/expire", expect=400)

    # Refunds: partial, the rest, too much; one that fails.
    api.post("/v1/refunds", form({"payment_intent": intent["id"], "amount": 1000}))
    api.post("/v1/refunds", form({"payment_intent": intent["id"], "amount": 99999}), 400)
    rest = api.post(
        "/v1/refunds", form({"charge": intent["latest_charge"]["id"], "metadata": {"k": "v"}})
    )
    api.post("/v1/refunds", form({"payment_intent": intent["id"]}), 400)
    failing = api.post("/v1/checkout/sessions", form(SESSION))
    pay(account, failing["id"], "4000000000005126")
    failing_intent = api.get(f"/v1/checkout/sessions/{failing['id']}")["payment_intent"]
    failed = api.post("/v1/refunds", form({"payment_intent": failing_intent}))
    wait_for(lambda: api.get(f"/v1/refunds/{failed['id']}")["status"] == "failed")
    wait_for(lambda: api.get(f"/v1/refunds/{rest['id']}")["status"] == "succeeded")
    api.get(
        f"/v1/refunds/{failed['id']}",
        expand=["charge", "balance_transaction", "failure_balance_transaction"],
    )
    api.get("/v1/refunds", payment_intent=intent["id"])
    api.get("/v1/refunds/re_missing", 404)

    # Events: the list, each one, and each one's data.object against its own schema.
    events = api.get("/v1/events", limit=100)["data"]
    kinds = {event["type"] for event in events}
    assert {
        "checkout.session.completed",
        "checkout.session.expired",
        "payment_intent.created",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "charge.succeeded",
        "charge.failed",
        "charge.refunded",
        "refund.created",
        "refund.updated",
        "refund.failed",
        "charge.refund.updated",
    } <= kinds
    for event in events:
        api.get(f"/v1/events/{event['id']}")
        validate(object_schema(event["data"]["object"]), event["data"]["object"], event["type"])
    api.get("/v1/events", type="refund.failed")

    # Webhook deliveries: the same envelope.
    wait_for(lambda: len(receiver.received) >= len(events))
    for body in receiver.bodies():
        validate({"$ref": PREFIX + "event"}, body, f"delivered {body['type']}")

    # Errors: no key, unknown key.
    answer = requests.get(f"{account.base_url}/v1/account", timeout=5)
    assert answer.status_code == 401
    validate(response_schema("GET", "/v1/account", 401), answer.json(), "401")
    api.call("DELETE", f"/v1/webhook_endpoints/{endpoint['id']}")
    api.get(f"/v1/webhook_endpoints/{endpoint['id']}", 404)

    answered = {(method, path) for method, path, _ in api.seen}
    for path, methods in spec()["paths"].items():
        for method in methods:
            assert (method.upper(), path) in answered, f"{method.upper()} {path} was not checked"


def test_strictness_catches_an_invented_field() -> None:
    with pytest.raises(pytest.fail.Exception):
        validate(
            {"$ref": PREFIX + "customer"},
            {
                "id": "cus_1",
                "object": "customer",
                "created": int(time.time()),
                "livemode": False,
                "invented": True,
            },
            "customer",
        )
