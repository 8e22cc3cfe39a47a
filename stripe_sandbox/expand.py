"""`expand[]` (dotted paths such as `payment_intent.latest_charge.balance_transaction`) and the
list envelope with Stripe's cursor paging."""

from __future__ import annotations

from typing import Any

from stripe_sandbox import params
from stripe_sandbox.errors import StripeError
from stripe_sandbox.sandbox import Sandbox
from stripe_sandbox.store import public

EXPANDABLE = {
    "checkout.session": {"payment_intent", "customer", "line_items"},
    "payment_intent": {"latest_charge", "customer"},
    "charge": {"balance_transaction", "payment_intent", "customer", "failure_balance_transaction"},
    "refund": {"charge", "payment_intent", "balance_transaction", "failure_balance_transaction"},
    "balance_transaction": {"source"},
}
MAX_DEPTH = 4


def render(
    sandbox: Sandbox, account: str, obj: dict[str, Any], form: dict[str, Any]
) -> dict[str, Any]:
    """The object as Stripe sends it, with the requested fields expanded."""
    shown = public(obj) if obj.get("object") != "list" else obj
    for path in params.listed(form, "expand"):
        if not isinstance(path, str):
            raise StripeError.invalid("Invalid array: expand must hold strings.", "expand")
        parts = path.split(".")
        if len(parts) > MAX_DEPTH + (1 if shown.get("object") == "list" else 0):
            raise StripeError.invalid(
                f"You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}",
                "expand",
            )
        expand(sandbox, account, shown, parts, path)
    return shown


def expand(
    sandbox: Sandbox, account: str, obj: dict[str, Any], parts: list[str], path: str
) -> None:
    head, rest = parts[0], parts[1:]
    if obj.get("object") == "list" and head == "data":
        for item in obj["data"]:
            if rest:
                expand(sandbox, account, item, rest, path)
        return
    kind = obj.get("object", "")
    if head not in EXPANDABLE.get(kind, set()):
        raise StripeError.invalid(f"This property cannot be expanded ({head}).", "expand")
    value = obj.get(head)
    if kind == "checkout.session" and head == "line_items":
        session = sandbox.store.objects[obj["id"]]
        value = as_list(
            [public(item) for item in session["_line_items"]],
            f"/v1/checkout/sessions/{obj['id']}/line_items",
        )
    elif isinstance(value, str):
        target = sandbox.store.get(account, value)
        if target is not None:
            value = public(target)
    obj[head] = value
    if rest and isinstance(value, dict):
        expand(sandbox, account, value, rest, path)


def as_list(data: list[dict[str, Any]], url: str, has_more: bool = False) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def page(objects: list[dict[str, Any]], form: dict[str, Any], url: str) -> dict[str, Any]:
    """Newest-first `objects` cut by `limit`, `starting_after`, `ending_before`."""
    limit = params.integer(form, "limit")
    if limit is None:
        limit = 10
    if not 1 <= limit <= 100:
        raise StripeError.invalid(
            "This value must be greater than or equal to 1 and less than or equal to 100.",
            "limit",
        )
    ids = [obj["id"] for obj in objects]
    after, before = params.text(form, "starting_after"), params.text(form, "ending_before")
    if after:
        if after not in ids:
            raise StripeError.no_such("object", after, "starting_after")
        objects = objects[ids.index(after) + 1 :]
    elif before:
        if before not in ids:
            raise StripeError.no_such("object", before, "ending_before")
        objects = objects[: ids.index(before)]
        shown = objects[-limit:]
        return as_list([public(o) for o in shown], url, len(objects) > limit)
    return as_list([public(o) for o in objects[:limit]], url, len(objects) > limit)
