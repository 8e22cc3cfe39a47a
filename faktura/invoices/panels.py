"""What the record pages show beside the invoice: the Actions menu, payments and the edit log
(INV-2, INV-16, INV-32), read for one invoice or payment."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.urls import reverse
from django.utils.translation import ngettext

from faktura.core.actors import Actor
from faktura.core.locales import format_money_for_people
from faktura.core.money import format_money
from faktura.history.models import Entry
from faktura.history.readable import LogGroup, describe_any_event, edit_log_groups
from faktura.invoices.menu import invoice_menu
from faktura.invoices.models import Invoice
from faktura.invoices.property_values import public_url
from faktura.payments.models import Payment, PaymentMethod


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str
    icon: str
    enabled: bool
    reason: str
    # How the item acts: "link", "new_tab", "dialog" (GET into the modal), "post", "copy".
    how: str = "link"
    url: str = ""
    danger: bool = False


_ICONS = {
    "edit": "pencil",
    "record_payment": "cash-coin",
    "view": "box-arrow-up-right",
    "history": "clock-history",
    "copy_link": "link-45deg",
    "send": "envelope",
    "download": "file-earmark-pdf",
    "clone": "copy",
    "delete": "trash",
    "void": "slash-circle",
}


def menu_entries(invoice: Invoice, actor: Actor) -> list[MenuEntry]:
    """invoices.menu's items with where each one goes; rules decide what is enabled."""
    pk = invoice.pk
    how: dict[str, tuple[str, str]] = {
        "edit": ("link", reverse("invoices:edit", args=[pk])),
        "record_payment": ("dialog", reverse("invoices:record_payment", args=[pk])),
        "history": ("dialog", reverse("invoices:property_history", args=[pk])),
        "clone": ("post", reverse("invoices:clone", args=[pk])),
        "delete": ("dialog", reverse("invoices:delete", args=[pk])),
        "void": ("dialog", reverse("invoices:void", args=[pk])),
        "send": ("dialog", reverse("invoices:send", args=[pk])),
        "download": ("link", reverse("invoices:pdf", args=[pk])),
    }
    if invoice.public_token:
        how["view"] = ("new_tab", reverse("invoices:public", args=[invoice.public_token]))
        how["copy_link"] = ("copy", public_url(invoice) or "")
    entries = []
    for item in invoice_menu(invoice, actor):
        enabled, reason = item.decision.ok, item.decision.reason
        kind, url = how.get(item.key, ("link", ""))
        entries.append(
            MenuEntry(
                key=item.key,
                label=item.label,
                icon=_ICONS.get(item.key, "dot"),
                enabled=enabled,
                reason=reason,
                how=kind,
                url=url,
                danger=item.key in ("delete", "void"),
            )
        )
    return entries


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    amount: str
    method: str
    url: str


def payment_rows(invoice: Invoice) -> list[PaymentRow]:
    applied = invoice.applied_payments.select_related("payment").order_by("applied_at", "id")
    return [
        PaymentRow(
            payment=a.payment,
            amount=format_money_for_people(a.payment.amount, a.payment.currency),
            method=PaymentMethod(a.payment.method).label
            if a.payment.method in PaymentMethod.values
            else a.payment.method,
            url=a.payment.get_absolute_url(),
        )
        for a in applied
    ]


# --- history -------------------------------------------------------------------------------


def describe_event(entry: Entry) -> str:
    data: dict[str, Any] = entry.data or {}
    kind = entry.event_type

    def amount() -> str:
        try:
            return format_money(Decimal(str(data.get("amount"))), str(data.get("currency")))
        except (InvalidOperation, ValueError, KeyError):
            return f"{data.get('amount', '')} {data.get('currency', '')}".strip()

    def recipients() -> str:
        to, cc = ", ".join(data.get("to") or []), ", ".join(data.get("cc") or [])
        return f"{to} (CC {cc})" if cc else to

    texts = {
        "invoice.created": "Created the invoice",
        "invoice.finalized": f"Finalized the invoice as {data.get('number', '')}",
        "invoice.voided": "Voided the invoice",
        "invoice.deleted": "Deleted the invoice",
        "invoice.cloned": "Created as a clone of invoice "
        + str(data.get("source_number") or f"draft {data.get('source_id', '')}"),
        "invoice.payment_recorded": f"Applied payment {data.get('payment_id', '')} of {amount()}"
        + (" (online)" if data.get("online") else ""),
        "invoice.payment_deleted": f"Deleted payment {data.get('payment_id', '')} of {amount()}",
        "invoice.edited_after_finalization": "Edited the finalized invoice"
        + (
            ngettext(
                "; %(count)s open checkout cancelled",
                "; %(count)s open checkouts cancelled",
                int(data["cancelled_checkouts"]),
            )
            % {"count": data["cancelled_checkouts"]}
            if data.get("cancelled_checkouts")
            else ""
        ),
        "invoice.checkout_started": "The buyer started paying online",
        "invoice.email_sent": f"Sent the invoice by email to {recipients()} from "
        f"{data.get('from', '')}",
        "invoice.email_failed": f"The invoice email to {recipients()} could not be delivered: "
        f"{data.get('reason', '')}",
        "payment.created": "Recorded the payment",
        "payment.refunded": f"Refunded {data.get('amount', '')}",
        "payment.partially_refunded": f"Partly refunded {data.get('amount', '')}",
        "payment.deleted": "Deleted the payment",
        "payment.refund_requested": f"Asked Stripe to refund {data.get('amount', '')}",
        "payment.refund_failed": f"The refund of {data.get('amount', '')} failed: "
        f"{data.get('message', '')}",
        "payment.refunded_automatically": "Refunded automatically: the invoice's checkout had "
        f"closed ({data.get('reason', '')})",
        "invoice.online_payment_refunded": f"An online payment of {data.get('amount', '')} came "
        "for a closed checkout and was refunded",
    }
    # Events of apps to the right (QuickBooks, Stripe) carry their own summary.
    return texts.get(kind) or describe_any_event(entry)


def invoice_log(record: Invoice | Payment) -> list[LogGroup]:
    """The edit log of an invoice or payment page, newest first (INV-16, INV-32)."""
    return edit_log_groups(record, describe_event)
