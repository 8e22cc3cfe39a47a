"""Stripe's bracket encoding, read back into nested dicts and lists."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from stripe_sandbox.errors import StripeError
from stripe_sandbox.form import parse


def test_nested_hashes_and_indexed_arrays() -> None:
    text = urlencode(
        [
            ("line_items[0][price_data][currency]", "eur"),
            ("line_items[0][price_data][product_data][name]", "A & B"),
            ("line_items[0][quantity]", "2"),
            ("line_items[1][quantity]", "1"),
            ("metadata[invoice]", "12"),
            ("expand[0]", "payment_intent"),
            ("expand[1]", "line_items"),
            ("mode", "payment"),
        ]
    )
    assert parse(text) == {
        "line_items": [
            {"price_data": {"currency": "eur", "product_data": {"name": "A & B"}}, "quantity": "2"},
            {"quantity": "1"},
        ],
        "metadata": {"invoice": "12"},
        "expand": ["payment_intent", "line_items"],
        "mode": "payment",
    }


def test_empty_brackets_append() -> None:
    assert parse("expand[]=a&expand[]=b&enabled_events[]=*") == {
        "expand": ["a", "b"],
        "enabled_events": ["*"],
    }


def test_ten_or_more_items_keep_their_order() -> None:
    text = "&".join(f"items[{i}][n]={i}" for i in range(12))
    assert [item["n"] for item in parse(text)["items"]] == [str(i) for i in range(12)]


def test_a_value_and_a_hash_under_one_name_is_refused() -> None:
    with pytest.raises(StripeError) as error:
        parse("metadata=x&metadata[a]=b")
    assert error.value.param == "metadata[a]"
    assert error.value.status == 400
