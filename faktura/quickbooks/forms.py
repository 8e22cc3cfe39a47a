"""The defaults form of a QuickBooks connection: one select per default, its options read live
from the company (accounts by type, vendors), so only what QuickBooks has can be chosen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.models import QuickBooksConnection
from faktura.quickbooks.services import DEFAULTS

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


@dataclass(frozen=True)
class DefaultList:
    """Where a default is chosen from: accounts of these types, or (no types) the vendors."""

    label: StrOrPromise
    help_text: StrOrPromise
    account_types: tuple[str, ...] = ()


LISTS: dict[str, DefaultList] = {
    "income_account": DefaultList(
        _("Income account for new items"),
        _("Items Faktura creates in QuickBooks (product sync) book their sales here."),
        ("Income",),
    ),
    "deposit_account": DefaultList(
        _("Deposit account"),
        _("Where payments are deposited, e.g. Undeposited Funds or a bank account."),
        ("Bank", "Other Current Asset"),
    ),
    "fee_expense_account": DefaultList(
        _("Fee expense account"),
        _("Payment processor fees are booked as an expense here."),
        ("Expense",),
    ),
    "fee_payment_account": DefaultList(
        _("Fee payment account"),
        _("The bank or credit card account the fees are paid from."),
        ("Bank", "Credit Card"),
    ),
    "fee_vendor": DefaultList(
        _("Fee vendor"),
        _("The vendor fee expenses are recorded against, e.g. your payment processor."),
    ),
    "refund_account": DefaultList(
        _("Refund-from account"),
        _("The account refunds are paid from."),
        ("Bank", "Credit Card", "Other Current Asset"),
    ),
}
assert tuple(LISTS) == DEFAULTS  # every default the service keeps has a list here

Options = dict[str, list[tuple[str, str]]]


def read_options(connection: QuickBooksConnection) -> Options:
    """Each default's choices as (QuickBooks id, name), read from the company now (two queries).
    Raises QuickBooksError when QuickBooks cannot be read."""
    client = QuickBooksClient(connection, max_wait=10, attempts=2)
    accounts = list(client.query_all("SELECT * FROM Account"))
    vendors = [
        (str(row["Id"]), str(row.get("DisplayName") or row.get("Id")))
        for row in client.query_all("SELECT * FROM Vendor")
    ]
    options: Options = {}
    for name, source in LISTS.items():
        if not source.account_types:
            options[name] = vendors
            continue
        options[name] = [
            (str(row["Id"]), str(row.get("FullyQualifiedName") or row.get("Name")))
            for row in accounts
            if row.get("AccountType") in source.account_types
        ]
    return options


class DefaultsForm(forms.Form):
    """One select per default; `values` is what set_connection_defaults takes."""

    def __init__(
        self, connection: QuickBooksConnection, options: Options, data: Any = None
    ) -> None:
        initial = {name: getattr(connection, f"{name}_id") for name in DEFAULTS}
        super().__init__(data, initial=initial)
        for name, source in LISTS.items():
            choices = list(options.get(name, []))
            chosen_id = getattr(connection, f"{name}_id")
            # A default deleted or deactivated in QuickBooks since stays visible, so it is not
            # cleared by saving the other defaults.
            if chosen_id and chosen_id not in {option_id for option_id, _name in choices}:
                choices.append((chosen_id, getattr(connection, f"{name}_name") or chosen_id))
            self.fields[name] = forms.ChoiceField(
                label=source.label,
                help_text=source.help_text,
                required=False,
                choices=[("", _("— not set —")), *choices],
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def values(self) -> dict[str, tuple[str, str]]:
        return {
            name: (self.cleaned_data[name], _label_of(self.fields[name], self.cleaned_data[name]))
            for name in DEFAULTS
        }


def _label_of(field: forms.Field, chosen: str) -> str:
    choices: Iterable[tuple[str, str]] = getattr(field, "choices", [])
    labels: Mapping[str, str] = dict(choices)
    return str(labels.get(chosen, "")) if chosen else ""
