"""The QuickBooks actions' configuration fields (QB-6): the connected company, and what that
company has (payment terms, accounts by type, vendors) read live from QuickBooks when the editor
draws the step or it is saved or published, drawn again when the company changes. The contact
and the line items offer "the first associated contact" and "all line items" only: a workflow's
choices are computed from the workflow, not from one enrolled record."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from faktura.payments.properties import PAYMENT
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.errors import QuickBooksError
from faktura.quickbooks.forms import LISTS
from faktura.quickbooks.models import ConnectionStatus, QuickBooksConnection
from faktura.quickbooks.rules import can_use
from faktura.workflows.config_fields import (
    CHOICE,
    YES_NO,
    Choice,
    ChoicesError,
    ConfigField,
    FieldContext,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

CHOICES_WAIT = 10  # seconds the editor waits for QuickBooks' budget before saying it is busy

# --- choices, read live from the chosen company (QB-6) -------------------------------------------

USABLE = (ConnectionStatus.CONNECTED, ConnectionStatus.NEEDS_RECONNECT)


def connected_companies(context: FieldContext) -> Iterable[Choice]:
    connections = QuickBooksConnection.objects.filter(status__in=USABLE)
    if not connections:
        raise ChoicesError(_("No QuickBooks company is connected. Connect a QuickBooks company "
                             "in Settings → QuickBooks first."))  # fmt: skip
    return [
        (
            str(c.pk),
            c.company_name
            if c.is_usable
            else _("%(name)s (needs reconnecting)") % {"name": c.company_name},
        )
        for c in connections
    ]


def _chosen_client(context: FieldContext) -> QuickBooksClient | None:
    """A client for the company the step has chosen; None while none is chosen. Raises
    ChoicesError when it cannot be used."""
    chosen = str(context.config.get("connection") or "")
    if not chosen.isdigit():
        return None
    connection = QuickBooksConnection.objects.filter(pk=int(chosen)).first()
    if connection is None:
        return None  # the connection field itself says the choice is gone
    if not (usable := can_use(connection)):
        raise ChoicesError(usable.reason)
    return QuickBooksClient(connection, max_wait=CHOICES_WAIT, attempts=2)


Rows = Callable[[str], list[dict[str, Any]]]


def _read(
    failed: StrOrPromise, read: Callable[[Rows], list[Choice]]
) -> Callable[[FieldContext], list[Choice]]:
    """A choices provider: `read` the chosen company's list, or say why not (`failed`, with
    %(said)s for QuickBooks' words). One query's rows are read once per context, so the three
    account fields of an expense step read the accounts once."""

    def choices(context: FieldContext) -> list[Choice]:
        try:
            if (client := _chosen_client(context)) is None:
                return []
            realm = client.connection.realm_id

            def rows(query: str) -> list[dict[str, Any]]:
                return context.shared((realm, query), lambda: list(client.query_all(query)))

            return read(rows)
        except QuickBooksError as error:
            raise ChoicesError(str(failed) % {"said": error.message}) from None

    return choices


def _terms(rows: Rows) -> list[Choice]:
    return [(str(t["Id"]), str(t.get("Name", t["Id"]))) for t in rows("SELECT * FROM Term")]


def _accounts_of(default: str) -> Callable[[Rows], list[Choice]]:
    """The company's accounts of the types Settings → QuickBooks offers for `default`."""
    types = LISTS[default].account_types

    def read(rows: Rows) -> list[Choice]:
        return [
            (str(row["Id"]), str(row.get("FullyQualifiedName") or row.get("Name")))
            for row in rows("SELECT * FROM Account")
            if row.get("AccountType") in types
        ]

    return read


def _vendors(rows: Rows) -> list[Choice]:
    return [
        (str(row["Id"]), str(row.get("DisplayName") or row["Id"]))
        for row in rows("SELECT * FROM Vendor")
    ]


payment_terms = _read(
    gettext_lazy("Could not read the payment terms from QuickBooks: %(said)s"), _terms
)


COMPANY_DEFAULT = "The company's default (Settings → QuickBooks)"

# --- fields --------------------------------------------------------------------------------------

CONNECTION = ConfigField(
    "connection",
    "QuickBooks company",
    kind=CHOICE,
    choices=connected_companies,
    help="A company connected in Settings → QuickBooks.",
)
TERMS = ConfigField(
    "terms",
    "Payment terms",
    kind=CHOICE,
    required=False,
    choices=payment_terms,
    depends_on=("connection",),
    blank_label="The customer's terms",
    help="Read from the chosen company's terms in QuickBooks.",
)
CONTACT = ConfigField(
    "contact",
    "Customer",
    kind=CHOICE,
    required=False,
    # A definition serves every enrolled record, so single contacts cannot be listed here.
    blank_label="First associated contact (oldest)",
    help=(
        "Matched to a QuickBooks customer by first name, last name and email; created in "
        "QuickBooks when none matches."
    ),
)
LINE_ITEMS = ConfigField(
    "line_items",
    "Products",
    kind=CHOICE,
    required=False,
    blank_label="All line items",
)
CREATE_PRODUCTS = ConfigField(
    "create_products",
    "Create the product in QuickBooks if it doesn't exist",
    kind=YES_NO,
    required=False,
    help=(
        "No: a line item without a matching QuickBooks product stops the action, and the log "
        "names it. Sync products in Settings → QuickBooks so they match."
    ),
)
AMOUNT_PROPERTY = ConfigField(
    "amount_property",
    "Amount to book",
    kind=CHOICE,
    required=False,
    choices=tuple((p.name, p.label) for p in PAYMENT.properties if p.money),
    blank_label="Fees",
    help="The payment property the expense amount is read from.",
)


def _account_field(name: str, label: str, default: str) -> ConfigField:
    return ConfigField(
        name,
        label,
        kind=CHOICE,
        required=False,
        choices=_read(
            gettext_lazy("Could not read the accounts from QuickBooks: %(said)s"),
            _accounts_of(default),
        ),
        depends_on=("connection",),
        blank_label=COMPANY_DEFAULT,
    )


PAYMENT_ACCOUNT = _account_field(
    "payment_account", "Payment account (bank or credit card)", "fee_payment_account"
)
EXPENSE_ACCOUNT = _account_field("expense_account", "Expense account", "fee_expense_account")
VENDOR = ConfigField(
    "vendor",
    "Vendor",
    kind=CHOICE,
    required=False,
    choices=_read(gettext_lazy("Could not read the vendors from QuickBooks: %(said)s"), _vendors),
    depends_on=("connection",),
    blank_label=COMPANY_DEFAULT,
)
REFUND_ACCOUNT = _account_field("refund_account", "Refund from account", "refund_account")
