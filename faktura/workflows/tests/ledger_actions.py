"""A test action type shaped like the QuickBooks actions to come (SPEC QB-2, QB-6): the company
is picked from the connected ledgers, the payment terms are that company's (read live, and
failing for a ledger that is down), line items and "create missing products" are options, and
the action is offered only to accounts whose company is in the United States.

Registered when imported (the editor tests and the browser test import it)."""

from collections.abc import Iterable, Mapping
from typing import Any

from faktura.accounts.services import get_account_settings
from faktura.core.errors import ALLOWED, Decision, refuse
from faktura.history.services import record_event
from faktura.workflows.config_fields import (
    CHOICE,
    MULTI_CHOICE,
    YES_NO,
    Choice,
    ChoicesError,
    ConfigField,
    FieldContext,
)
from faktura.workflows.registry import ActionContext, ActionType, action_types

# The "connected" ledger companies: key → (name, payment terms; None when it cannot be read).
CONNECTED: dict[str, tuple[str, tuple[Choice, ...] | None]] = {
    "acme": ("Acme Inc.", (("net15", "Net 15"), ("net30", "Net 30"))),
    "globex": ("Globex LLC", (("receipt", "Due on receipt"),)),
    "offline": ("Offline Corp", None),
}
LEDGERS = dict(CONNECTED)  # what the providers read; tests change it and put it back
ASKED: list[tuple[str, dict[str, Any]]] = []  # (field, config) each time choices were computed


def connected_companies(context: FieldContext) -> Iterable[Choice]:
    ASKED.append(("company", dict(context.config)))
    return [(key, name) for key, (name, _terms) in LEDGERS.items()]


def payment_terms(context: FieldContext) -> Iterable[Choice]:
    ASKED.append(("terms", dict(context.config)))
    company = context.config.get("company")
    if company not in LEDGERS:
        return []  # no company chosen yet
    name, terms = LEDGERS[company]
    if terms is None:
        raise ChoicesError(
            f"Could not read the payment terms from {name}: the connection timed out; try again."
        )
    return terms


def us_only() -> Decision:
    country = get_account_settings().company_country
    if country == "US":
        return ALLOWED
    return refuse(
        "Ledger actions are offered only to accounts whose company is in the United States; "
        f"this account's company country is {country} (Settings)."
    )


def create_ledger_invoice(context: ActionContext) -> Mapping[str, Any]:
    config = dict(context.config)
    record_event(
        context.record, "workflow.test_step", actor=context.actor, data={"label": "ledger"}
    )
    return {"company": config.get("company"), "terms": config.get("terms")}


LEDGER_INVOICE = action_types.register(
    "tests.ledger_invoice",
    ActionType(
        name="tests.ledger_invoice",
        label="Create a ledger invoice (tests)",
        description="Stands in for the QuickBooks invoice action.",
        run=create_ledger_invoice,
        fields=(
            ConfigField("company", "Ledger company", kind=CHOICE, choices=connected_companies),
            ConfigField(
                "terms",
                "Payment terms",
                kind=CHOICE,
                choices=payment_terms,
                depends_on=("company",),
            ),
            ConfigField(
                "lines",
                "Line items",
                kind=MULTI_CHOICE,
                required=False,
                choices=(("products", "From the product library"), ("custom", "Custom lines")),
                help="None chosen: every line item.",
            ),
            ConfigField("create_missing", "Create missing products", kind=YES_NO, required=False),
        ),
        object_types=("deal", "quote"),
        available=us_only,
        category="Ledger (tests)",
    ),
)


def ledger_step(step_id: str = "s1", **config: Any) -> dict[str, Any]:
    return {"id": step_id, "type": "tests.ledger_invoice",
            "config": {"company": "acme", "terms": "net30", **config}}  # fmt: skip
