"""Customers: created with an email and a name, so checkout sessions can name one."""

from __future__ import annotations

from typing import Any

from stripe_sandbox import params
from stripe_sandbox.sandbox import Sandbox
from stripe_sandbox.store import new_id

CREATE_PARAMS = {"email", "name", "description", "phone", "metadata", "preferred_locales", "expand"}


def create(sandbox: Sandbox, account: str, form: dict[str, Any]) -> dict[str, Any]:
    params.known(form, CREATE_PARAMS)
    form = {key: value for key, value in form.items() if value is not None}
    return sandbox.store.put(
        {
            "id": new_id("cus_", 14),
            "object": "customer",
            "address": None,
            "balance": 0,
            "created": sandbox.clock.seconds(),
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": params.text(form, "description"),
            "discount": None,
            "email": params.text(form, "email"),
            "invoice_prefix": new_id("", 8).upper(),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": params.metadata(form),
            "name": params.text(form, "name"),
            "next_invoice_sequence": 1,
            "phone": params.text(form, "phone"),
            "preferred_locales": [str(x) for x in params.listed(form, "preferred_locales")],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
            "_account": account,
        }
    )
