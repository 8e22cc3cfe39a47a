"""Payments on the wire: their default properties, HubSpot's association ids, and the status a
HubSpot client sends with a new payment. Creating one associated with an invoice (type 542) is
HubSpot's documented way to mark an invoice paid from outside."""

from django.db import models
from django.utils.translation import gettext

from faktura.api.adapters import Adapter, Link
from faktura.api.scopes import scopes_for
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.record_services import Associated, Values, primary_associated, services_for

# HubSpot's clients send these with a new payment; Faktura reads the email from the contact.
STATUS = "hs_latest_status"
CUSTOMER_EMAIL = "hs_customer_email"


def create_payment(actor: Actor, values: Values, associated: Associated) -> models.Model:
    recorded = {k: v for k, v in values.items() if k not in (STATUS, CUSTOMER_EMAIL)}
    if (values.get(STATUS) or "succeeded") != "succeeded":
        raise RuleViolation(
            gettext(
                "Only completed payments can be recorded here: hs_latest_status must be "
                "'succeeded'."
            ),
            code="invalid_option",
        )
    return services_for("commerce_payments").create_record(
        recorded, actor=actor, associated=associated
    )


def invoice_scopes(payment: models.Model) -> tuple[str, ...]:
    """Deleting a payment applied to an invoice reopens the invoice: invoice write too."""
    applied = primary_associated(payment, "invoices") is not None
    return scopes_for("invoices", write=True) if applied else ()


ADAPTERS = (
    Adapter(
        "commerce_payments",
        (
            "hs_initial_amount",
            "hs_currency_code",
            "hs_latest_status",
            "hs_createdate",
            "hs_object_id",
        ),
        links=(
            Link("commerce_payments", "invoices", 542, "payment_to_invoice", changes_target=True),
            Link("commerce_payments", "contacts", 387, "payment_to_contact"),
            # The deal a payment closed (a payment link's "Payment Link" deal, PAY-6).
            Link("commerce_payments", "deals", 391, "payment_to_deal"),
        ),
        create_on_wire=create_payment,
        archive_scopes=invoice_scopes,
    ),
)
