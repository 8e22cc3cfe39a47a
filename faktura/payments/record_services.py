"""Payments' services and their contact, declared for code that acts on any object type
(faktura.core.record_services). Payments know no invoices: the invoices app declares how a payment
is deleted and how it is associated with the invoice it pays."""

import datetime as dt
from typing import Any

from django.db import models
from django.utils.translation import gettext, gettext_lazy

from faktura.accounts.services import get_account_settings
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.properties import parse_value
from faktura.core.record_services import (
    Associated,
    Association,
    Values,
    declare_association,
    of,
    pointer,
    services_for,
)
from faktura.crm.models import Contact
from faktura.payments import services as payments
from faktura.payments.models import Payment
from faktura.payments.properties import PAYMENT
from faktura.sales.models import Deal

# The properties a manual payment is recorded with, and the service's name for each.
RECORDED_WITH = {
    name: PAYMENT.property(name).field
    for name in (
        "hs_initial_amount",
        "hs_currency_code",
        "hs_initiated_date",
        "hs_payment_method_type",
        "hs_reference_number",
        "hs_internal_comment",
    )
}
REQUIRED = ("hs_initial_amount", "hs_initiated_date")


def _create_payment(values: Values, /, *, actor: Actor, associated: Associated) -> Payment:
    """A payment recorded by hand, in the account's default currency unless given one."""
    if unknown := sorted(set(values) - set(RECORDED_WITH)):
        raise RuleViolation(
            gettext("Property %(name)s cannot be set on a new payment.") % {"name": unknown[0]},
            code="read_only",
        )
    if any(name not in values for name in REQUIRED):
        raise RuleViolation(
            gettext("A payment needs %(amount)s and %(date)s.")
            % {"amount": REQUIRED[0], "date": REQUIRED[1]},
            code="required",
        )
    recorded: dict[str, Any] = {
        str(RECORDED_WITH[name]): parse_value(PAYMENT.property(name), value)
        for name, value in values.items()
    }
    recorded["currency"] = recorded.get("currency") or get_account_settings().default_currency
    if isinstance(recorded["paid_on"], dt.datetime):
        recorded["paid_on"] = recorded["paid_on"].date()
    contacts = of(associated, "contacts", Contact)
    return payments.create_manual_payment(
        actor=actor, contact=contacts[0] if contacts else None, **recorded
    )


def _set_deal(payment: Payment, deal: Deal, /, *, actor: Actor) -> None:
    payments.associate_deal(payment, deal, actor=actor)


def _unset_deal(payment: Payment, deal: Deal, /, *, actor: Actor) -> None:
    if payment.deal_id == deal.pk:
        payments.associate_deal(payment, None, actor=actor)


def _payments_of(deal: Deal) -> models.QuerySet[Payment]:
    return deal.payments.order_by("id")


def declare() -> None:
    services_for("commerce_payments").declare(
        create=_create_payment,
        created_with=("contacts",),
        read_only_reason=gettext_lazy(
            "Payment records cannot be changed; delete a manual payment and record it again."
        ),
    )
    declare_association(
        Association(
            "commerce_payments",
            "contacts",
            **pointer("contact"),
            lookup="contact_id",
        )
    )
    # The deal a payment closed (a payment link's "Payment Link" deal, PAY-6), both ways.
    declare_association(
        Association(
            "commerce_payments",
            "deals",
            **pointer("deal"),
            add=_set_deal,
            remove=_unset_deal,
            lookup="deal_id",
        )
    )
    declare_association(
        Association("deals", "commerce_payments", records=_payments_of, lookup="payments__id")
    )
