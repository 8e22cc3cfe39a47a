"""Checking request parameters as Stripe does, with Stripe's error messages."""

from __future__ import annotations

from typing import Any

from stripe_sandbox.errors import StripeError

METADATA_KEYS = 50
METADATA_KEY_LENGTH = 40
METADATA_VALUE_LENGTH = 500


def known(params: dict[str, Any], allowed: set[str], prefix: str = "") -> None:
    for name in params:
        if name not in allowed:
            raise StripeError.unknown_param(f"{prefix}[{name}]" if prefix else name)


def text(params: dict[str, Any], name: str, param: str | None = None) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise StripeError.invalid(
            f"Invalid string: {param or name} must be a string, not a hash or an array.",
            param or name,
        )
    return value


def required_text(params: dict[str, Any], name: str, param: str | None = None) -> str:
    value = text(params, name, param)
    if value is None or value == "":
        raise StripeError.missing_param(param or name)
    return value


def integer(params: dict[str, Any], name: str, param: str | None = None) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        return int(value)
    except ValueError:
        raise StripeError.invalid(
            f"Invalid integer: {value}", param or name, "parameter_invalid_integer"
        ) from None


def boolean(params: dict[str, Any], name: str) -> bool | None:
    value = params.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise StripeError.invalid(f"Invalid boolean: {value}", name)
    return value == "true"


def metadata(params: dict[str, Any], name: str = "metadata") -> dict[str, str]:
    value = params.get(name)
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise StripeError.invalid(f"Invalid hash: {name} must be a hash of keys to strings.", name)
    if len(value) > METADATA_KEYS:
        raise StripeError.invalid(
            f"Invalid {name}: metadata can have up to {METADATA_KEYS} keys.", name
        )
    for key, item in value.items():
        if len(key) > METADATA_KEY_LENGTH:
            raise StripeError.invalid(
                f"Invalid {name}: keys can be up to {METADATA_KEY_LENGTH} characters long.",
                f"{name}[{key}]",
            )
        if not isinstance(item, str) or len(item) > METADATA_VALUE_LENGTH:
            raise StripeError.invalid(
                f"Invalid {name}: values must be strings up to {METADATA_VALUE_LENGTH} "
                "characters long.",
                f"{name}[{key}]",
            )
    return {key: item for key, item in value.items() if item != ""}


def listed(params: dict[str, Any], name: str) -> list[Any]:
    value = params.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        raise StripeError.invalid(f"Invalid array: {name} must be an array.", name)
    return list(value)
