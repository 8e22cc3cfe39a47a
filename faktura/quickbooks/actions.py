"""The QuickBooks workflow actions (QB-1, QB-6, QB-9…QB-14): seven action types registered into
the workflow registry. Each picks a connected company, offers what that company has (terms,
accounts, vendors: read live from QuickBooks when the editor draws the step), and runs by calling
documents.py with the step's idempotency key, so a retry never makes a second document (QB-13).

Errors become ActionErrors in words: throttling, server and network errors are retried (QB-12)
under the webhook's policy (first after a minute, doubling, for three days), honouring QuickBooks'
Retry-After; validation faults, an unmatched line item (QB-4) or a missing default fail with
QuickBooks' own message and what to fix; a revoked connection fails with "Reconnect QuickBooks"
(QB-14), and Retry works once it is reconnected.

The contact and the line items are offered as "the first associated contact" and "all line
items" only: a workflow definition applies to every enrolled record, and config_fields computes
choices from the workflow, not from one record, so individual contacts or line items cannot be
listed there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from faktura.accounts.services import get_account_settings
from faktura.core.errors import ALLOWED, Decision, RuleViolation, refuse
from faktura.core.money import format_money
from faktura.payments.models import Payment
from faktura.payments.properties import PAYMENT
from faktura.quickbooks import documents
from faktura.quickbooks.actions_fields import (
    AMOUNT_PROPERTY,
    CONNECTION,
    CONTACT,
    CREATE_PRODUCTS,
    EXPENSE_ACCOUNT,
    LINE_ITEMS,
    PAYMENT_ACCOUNT,
    REFUND_ACCOUNT,
    TERMS,
    VENDOR,
)
from faktura.quickbooks.errors import QuickBooksError, ReconnectNeeded
from faktura.quickbooks.models import (
    DocumentKind,
    QuickBooksConnection,
    QuickBooksDocument,
)
from faktura.quickbooks.rules import can_use
from faktura.workflows.config_fields import ConfigField
from faktura.workflows.registry import (
    ActionContext,
    ActionError,
    ActionType,
    RetryPolicy,
    action_types,
)

CATEGORY = "QuickBooks Online"
# As the webhook: first retry after a minute, doubling (at most eight hours apart), for 3 days.
RETRY = RetryPolicy()
FEES_PROPERTY = "hs_fees_amount"
RECONNECT = "Reconnect QuickBooks"

Created = QuickBooksDocument | list[QuickBooksDocument]


# --- availability (QB-2) -----------------------------------------------------------------------


def us_only() -> Decision:
    country = get_account_settings().company_country
    if country == "US":
        return ALLOWED
    return refuse(
        _("the QuickBooks actions are offered only for accounts whose company is in the United "
        "States, and this account's company country is %(country)s. A super admin can change "
        "it in Settings → Account settings (Company country).") % {"country": country or "—"}
    )  # fmt: skip


# --- running -------------------------------------------------------------------------------------


def _connection(context: ActionContext) -> QuickBooksConnection:
    chosen = str(context.config.get("connection") or "")
    connection = (
        QuickBooksConnection.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    )
    if connection is None:
        raise ActionError(
            _("%(reconnect)s: the company this action uses is no longer connected. Connect it in "
            "Settings → QuickBooks, choose it in the workflow's action, then retry.")
            % {"reconnect": RECONNECT}
        )  # fmt: skip
    if not (usable := can_use(connection)):
        raise ActionError(_reconnect_message(usable.reason))
    return connection


def _reconnect_message(said: str) -> str:
    if RECONNECT.lower() in said.lower():
        return _("%(said)s Then press Retry.") % {"said": said}
    return _("%(reconnect)s: %(said)s Then press Retry.") % {"reconnect": RECONNECT, "said": said}


def _run(
    context: ActionContext, create: Callable[..., Created], **arguments: Any
) -> dict[str, Any]:
    """Create the document(s) for the step, with QuickBooks' errors in words."""
    connection = _connection(context)
    try:
        created = create(
            connection=connection,
            actor=context.actor,
            request_key=context.idempotency_key,
            **arguments,
        )
    except ReconnectNeeded as error:
        raise ActionError(_reconnect_message(error.message)) from None
    except QuickBooksError as error:
        wait = dt.timedelta(seconds=error.retry_after) if error.retry_after else None
        raise ActionError(error.message, retryable=error.retryable, retry_after=wait) from None
    except RuleViolation as refusal:
        raise ActionError(refusal.reason) from None
    return result_of(created if isinstance(created, list) else [created])


def result_of(created: list[QuickBooksDocument]) -> dict[str, Any]:
    """What the action log shows: the QuickBooks document id(s), numbers, totals, company."""
    first = created[0]
    return {
        "company": first.connection.company_name,
        "documents": ", ".join(
            f"{d.entity} {d.qbo_id}" + (f" (no. {d.doc_number})" if d.doc_number else "")
            for d in created
        ),
        "quickbooks_id": first.qbo_id,
        "number": first.doc_number,
        "total": format_money(first.total, first.currency),
    }


def _yes(config: Mapping[str, Any], name: str) -> bool:
    return config.get(name) in (True, "yes")


def _sales_document(kind: DocumentKind) -> Callable[[ActionContext], dict[str, Any]]:
    def run(context: ActionContext) -> dict[str, Any]:
        return _run(
            context,
            documents.create_sales_document,
            record=context.record,
            kind=kind,
            term_id=str(context.config.get("terms") or ""),
            create_items=_yes(context.config, "create_products"),
        )

    return run


def _payment(context: ActionContext) -> Payment:
    record = context.record
    assert isinstance(record, Payment), "the QuickBooks payment actions apply to payments only"
    return record


def _from_payment(create: Callable[..., Created]) -> Callable[[ActionContext], dict[str, Any]]:
    """A paid invoice or a sales receipt from the payment's details."""

    def run(context: ActionContext) -> dict[str, Any]:
        return _run(
            context,
            create,
            payment=_payment(context),
            create_items=_yes(context.config, "create_products"),
        )

    return run


def expense_amount(payment: Payment, property_name: str) -> Decimal | None:
    """The amount to book: None (the payment's fees) unless another amount property is chosen."""
    if not property_name or property_name == FEES_PROPERTY:
        return None
    value = PAYMENT.property(property_name).read(payment)
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def create_expense(context: ActionContext) -> dict[str, Any]:
    config = context.config
    payment = _payment(context)
    return _run(
        context,
        documents.create_fee_expense,
        payment=payment,
        amount=expense_amount(payment, str(config.get("amount_property") or "")),
        payment_account_id=str(config.get("payment_account") or ""),
        expense_account_id=str(config.get("expense_account") or ""),
        vendor_id=str(config.get("vendor") or ""),
    )


def create_refund_receipt(context: ActionContext) -> dict[str, Any]:
    return _run(
        context,
        documents.create_refund_receipt,
        payment=_payment(context),
        refund_account_id=str(context.config.get("refund_account") or ""),
        create_items=_yes(context.config, "create_products"),
    )


# --- the seven types -----------------------------------------------------------------------------

SALES_FIELDS = (CONNECTION, CONTACT, LINE_ITEMS, CREATE_PRODUCTS)


def _register(
    name: str,
    label: str,
    description: str,
    run: Callable[[ActionContext], Mapping[str, Any]],
    fields: tuple[ConfigField, ...],
    object_types: tuple[str, ...],
) -> ActionType:
    return action_types.register(name, ActionType(
        name=name, label=label, description=description, run=run, fields=fields,
        object_types=object_types, transactional=False, retry=RETRY, category=CATEGORY,
        available=us_only,
    ))  # fmt: skip


INVOICE = _register(
    "quickbooks_create_invoice",
    "Create QuickBooks invoice",
    "Create an invoice in QuickBooks Online from the deal's or quote's line items, for its first "
    "associated contact, with the payment terms you choose.",
    _sales_document(DocumentKind.INVOICE),
    (CONNECTION, TERMS, CONTACT, LINE_ITEMS, CREATE_PRODUCTS),
    ("deal", "quote"),
)
ESTIMATE = _register(
    "quickbooks_create_estimate",
    "Create QuickBooks estimate",
    "Create an estimate in QuickBooks Online from the deal's or quote's line items.",
    _sales_document(DocumentKind.ESTIMATE),
    SALES_FIELDS,
    ("deal", "quote"),
)
SALES_RECEIPT = _register(
    "quickbooks_create_sales_receipt",
    "Create QuickBooks sales receipt",
    "Create a sales receipt (a sale paid on the spot) in QuickBooks Online from the deal's or "
    "quote's line items.",
    _sales_document(DocumentKind.SALES_RECEIPT),
    SALES_FIELDS,
    ("deal", "quote"),
)
PAID_INVOICE = _register(
    "quickbooks_create_paid_invoice",
    "Create QuickBooks paid invoice",
    "Create an invoice and the payment that pays it in QuickBooks Online from the payment's "
    "details. Refused when any line is taxable; use a sales receipt then.",
    _from_payment(documents.create_paid_invoice),
    (CONNECTION, CREATE_PRODUCTS),
    ("payment",),
)
PAYMENT_SALES_RECEIPT = _register(
    "quickbooks_create_payment_sales_receipt",
    "Create QuickBooks sales receipt from payment",
    "Create a sales receipt in QuickBooks Online from the payment's details (any lines).",
    _from_payment(documents.create_payment_sales_receipt),
    (CONNECTION, CREATE_PRODUCTS),
    ("payment",),
)
EXPENSE = _register(
    "quickbooks_create_expense",
    "Create QuickBooks expense",
    "Create an expense in QuickBooks Online for the payment's processing fee (or another amount "
    "of the payment), paid from an account to a vendor.",
    create_expense,
    (CONNECTION, AMOUNT_PROPERTY, PAYMENT_ACCOUNT, EXPENSE_ACCOUNT, VENDOR),
    ("payment",),
)
REFUND_RECEIPT = _register(
    "quickbooks_create_refund_receipt",
    "Create QuickBooks refund receipt",
    "Create a refund receipt in QuickBooks Online for a fully refunded payment.",
    create_refund_receipt,
    (CONNECTION, REFUND_ACCOUNT, CREATE_PRODUCTS),
    ("payment",),
)
