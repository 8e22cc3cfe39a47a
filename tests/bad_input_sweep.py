"""The bad-input sweep: every operation of /api/openapi.json sent what no client should send, and
every answer of 500 or more reported (issue 13). `bin/fuzz-api` runs it after Schemathesis,
against a running server when given one; faktura/api/tests/test_bad_input_sweep.py runs a
smaller sweep in CI.

    python -m tests.bad_input_sweep --url http://127.0.0.1:8000 --token <private app token>

What it sends, one change at a time to a minimal valid request built from the schema:
control characters (NUL, VT, ESC) and a lone surrogate in every text field, path parameter and
query parameter; an object and a list as a property value; 50,000 characters in every text
field; 2,000 items in every list (IN values, batch inputs); a body nested 100,000 deep; a body
of 3 MB; a body that is not JSON. Schemathesis checks the answers' shapes; this only looks for
server errors, API errors that are not its JSON, and object/list or control-character property
values that were stored, one per line (exit status 1 when there is one).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

BAD_TEXT = {"NUL": "a\x00b", "VT": "a\x0bb", "ESC": "\x1b[31m", "lone surrogate": "a\ud800b"}
OBJECT_TYPES = (
    "contacts", "companies", "deals", "quotes", "products", "line_items", "invoices",
    "commerce_payments",
)  # fmt: skip
LONG = "a " * 25_000
MANY = 2_000
DEEP = ("[" * 100_000 + "]" * 100_000).encode()
HUGE = 3_000_000
# Sends a request (method, path, body); answers its status and content type.
Send = Callable[[str, str, bytes | None], tuple[int, str]]


@dataclass(frozen=True)
class Finding:
    method: str
    path: str
    case: str
    status: int
    problem: str = "server error"

    def __str__(self) -> str:
        where = f"{self.method.upper()} {self.path[:120]!r}"
        return f"{self.status} {where}: {self.case} ({self.problem})"


@dataclass(frozen=True)
class Case:
    what: str
    body: bytes
    # A property value no record may keep: a 2xx means it was stored (as "{'a': 1}", or a
    # NUL that breaks exports), which is a finding too.
    must_refuse: bool = False


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    if "anyOf" in node:  # Optional[...]: the first kind that is not null
        node = next((n for n in node["anyOf"] if n.get("type") != "null"), node["anyOf"][0])
        return _resolve(schema, node)
    return node


def example(
    schema: dict[str, Any], node: dict[str, Any], hints: dict[str, Any], depth: int = 0
) -> Any:
    """A minimal value that fits `node`: every field filled (those named in `hints` with a value
    the API accepts, so a bad value elsewhere gets past the first checks), one item per list."""
    node = _resolve(schema, node)
    if depth > 8:
        return None
    if "enum" in node:
        return node["enum"][0]
    match node.get("type"):
        case "object":
            fields = node.get("properties", {})
            return {
                name: hints[name] if name in hints else example(schema, inner, hints, depth + 1)
                for name, inner in fields.items()
            }
        case "array":
            return [example(schema, node.get("items", {}), hints, depth + 1)]
        case "integer" | "number":
            return 1
        case "boolean":
            return True
        case "string":
            return "x"
    return "x"


def pruned(schema: dict[str, Any], node: dict[str, Any], value: Any, path: tuple[Any, ...]) -> Any:
    """`value` without the optional fields off `path`: a bad value there then meets the checks
    of a request that is otherwise plain (no associations to refuse first, and so on)."""
    node = _resolve(schema, node)
    if isinstance(value, dict) and node.get("type") == "object":
        required = set(node.get("required", []))
        fields = node.get("properties", {})
        kept = {k: v for k, v in value.items() if k in required or (path and k == path[0])}
        return {
            k: pruned(schema, fields.get(k, {}), v, path[1:] if path and k == path[0] else ())
            for k, v in kept.items()
        }
    if isinstance(value, list):
        items = node.get("items", {})
        return [
            pruned(schema, items, v, path[1:] if path and i == path[0] else ())
            for i, v in enumerate(value)
        ]
    return value


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, (*path, index))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    changed = copy.deepcopy(value)
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = new
    return changed


def body_cases(
    schema: dict[str, Any], node: dict[str, Any], body: Any, text_property: str
) -> Iterator[Case]:
    """Each bad body built from a valid one."""
    yield Case("a body nested 100,000 deep", DEEP)
    yield Case("a body of 3 MB", json.dumps({"x": "a" * HUGE}).encode())
    yield Case("a body that is not JSON", b'{"properties": ')
    for path, value in list(_leaves(body)):
        where = ".".join(map(str, path)) or "the body"
        plain = pruned(schema, node, body, path)

        def with_(new: Any) -> bytes:
            return _json(_replaced(plain, path, new))  # noqa: B023 - used at once

        if isinstance(value, str):
            for name, text in BAD_TEXT.items():
                yield Case(f"{name} in {where}", with_(text))
            yield Case(f"50,000 characters in {where}", with_(LONG))
        elif isinstance(value, list) and value:
            # Different items: a database query builder may drop repeated values.
            first = value[0]
            items = (
                [f"{first}{i}" for i in range(MANY)] if isinstance(first, str) else [first] * MANY
            )
            yield Case(f"{MANY:,} items in {where}", with_(items))
        elif isinstance(value, dict) and not value and path and path[-1] == "properties":
            for name, text in BAD_TEXT.items():
                yield Case(f"{name} in {where}", with_({text_property: text}), must_refuse=True)
            for kind, odd in (("an object", {"a": 1}), ("a list", [1])):
                changed = with_({text_property: odd})
                yield Case(f"{kind} as {where}.{text_property}", changed, must_refuse=True)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()  # a lone surrogate as its \\u escape, as a client sends it


def _path(template: str, params: dict[str, str]) -> str:
    for name, value in params.items():
        template = template.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
    return template


def sweep(
    send: Send,
    schema: dict[str, Any],
    *,
    object_types: tuple[str, ...],
    skip: tuple[str, ...] = (),
) -> list[Finding]:
    """Every operation of `schema` (but those under a prefix in `skip`), for each of
    `object_types`, sent the bad cases."""
    findings: list[Finding] = []

    def probe(method: str, path: str, body: bytes | None, case: str, refuse: bool = False) -> None:
        status, content_type = send(method, path, body)
        if status >= 500:
            findings.append(Finding(method, path, case, status))
        elif status >= 400 and "json" not in content_type:
            findings.append(Finding(method, path, case, status, "not the API's JSON error"))
        elif status < 300 and status != 207 and refuse:  # 207: a batch's items refused
            findings.append(Finding(method, path, case, status, "accepted and stored"))

    for template, item in schema["paths"].items():
        if template.startswith(skip):
            continue
        for method, operation in item.items():
            parameters = operation.get("parameters", [])
            path_names = [p["name"] for p in parameters if p["in"] == "path"]
            query_names = [p["name"] for p in parameters if p["in"] == "query"]
            kinds = object_types if any("type" in n for n in path_names) else object_types[:1]
            for object_type in kinds:
                good = {n: object_type if "type" in n else "1" for n in path_names}
                path = _path(template, good)
                minimal = _minimal(schema, operation, object_type)
                for name in path_names:  # each path parameter bad in turn
                    bad = _path(template, {**good, name: BAD_TEXT["NUL"]})
                    probe(method, bad, minimal, f"NUL in {name}")
                for name in query_names:
                    query = urllib.parse.urlencode({name: BAD_TEXT["ESC"]})
                    probe(method, f"{path}?{query}", minimal, f"ESC in {name}")
                if "requestBody" in operation:
                    node = _body_schema(operation)
                    body = example(schema, node, _hints(object_type))
                    for case in body_cases(schema, node, body, _text_property(object_type)):
                        probe(method, path, case.body, case.what, case.must_refuse)
    return findings


def _body_schema(operation: dict[str, Any]) -> dict[str, Any]:
    content = operation["requestBody"]["content"]
    return dict(next(iter(content.values()))["schema"])


def _minimal(schema: dict[str, Any], operation: dict[str, Any], object_type: str) -> bytes | None:
    if "requestBody" not in operation:
        return None
    node = _body_schema(operation)
    return _json(pruned(schema, node, example(schema, node, _hints(object_type)), ()))


def _hints(object_type: str) -> dict[str, Any]:
    # An IN filter on a text property: the values list then reaches the search's query.
    return {"propertyName": _text_property(object_type), "operator": "IN", "values": ["x"]}


# A text property of each type (HubSpot's names): any one will do; the sweep needs a name the
# API knows so that an object or list value reaches the value checks.
TEXT_PROPERTIES = {
    "contacts": "firstname", "companies": "name", "deals": "dealname", "quotes": "hs_title",
    "products": "name", "line_items": "name", "invoices": "hs_comments",
    "commerce_payments": "hs_reference_number",
}  # fmt: skip


def _text_property(object_type: str) -> str:
    return TEXT_PROPERTIES.get(object_type, "name")


def http_sender(base_url: str, token: str) -> Send:
    def send(method: str, path: str, body: bytes | None) -> tuple[int, str]:
        request = urllib.request.Request(
            base_url.rstrip("/") + path,
            data=body,
            method=method.upper(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        while True:
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return int(response.status), response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as error:
                if error.code != 429:
                    return int(error.code), error.headers.get("Content-Type", "")
                # The server's rate limit: wait as it says (or start it with the limit off).
                time.sleep(float(error.headers.get("Retry-After") or 1))

    return send


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url", required=True, help="the running server, e.g. http://127.0.0.1:8000"
    )
    parser.add_argument("--token", required=True, help="a private app token with every scope")
    args = parser.parse_args(argv)
    with urllib.request.urlopen(args.url.rstrip("/") + "/api/openapi.json", timeout=60) as answer:
        schema = json.load(answer)
    findings = sweep(http_sender(args.url, args.token), schema, object_types=OBJECT_TYPES)
    for finding in findings:
        print(finding)
    print(f"bad-input sweep: {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
