"""Stripe's form encoding: `a[b][0][c]=v` and `expand[]=x` into nested dicts and lists."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from stripe_sandbox.errors import StripeError

KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
PART = re.compile(r"\[([^\[\]]*)\]")


def parse(text: str) -> dict[str, Any]:
    """The parameters of a query string or form body; lists come back as lists."""
    root: dict[str, Any] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        match = KEY.match(name)
        if not match:
            raise StripeError.invalid(f"Invalid parameter name: {name}", name)
        keys = [match.group(1), *PART.findall(match.group(2))]
        put(root, keys, value, name)
    return {key: listed(value) for key, value in root.items()}


def put(node: dict[str, Any], keys: list[str], value: str, name: str) -> None:
    for index, key in enumerate(keys[:-1]):
        following = keys[index + 1]
        if following == "":
            # `a[]=x`: append to a list, kept as an index-keyed dict until `listed`.
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise StripeError.invalid(f"Invalid array: {name}", name)
            child[str(len(child))] = value
            return
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise StripeError.invalid(f"Invalid hash: {name}", name)
        node = child
    node[keys[-1]] = value


def listed(value: Any) -> Any:
    """Dicts whose keys are all 0..n-1 are the arrays Stripe's encoding writes as `a[0]`."""
    if not isinstance(value, dict):
        return value
    converted = {key: listed(child) for key, child in value.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted
