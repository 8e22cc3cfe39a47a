"""Invoice numbers (INV-22): increasing, unique under concurrency, gaps from deletions kept.

One counter row is bumped with `UPDATE … SET last_number = last_number + 1` inside the
finalizing transaction: the row lock lasts until commit, so concurrent finalizations queue
on it and each gets the next number; a rolled-back finalization gives its number back.
The unique constraint on Invoice.number_seq is the backstop.
"""

from django.db import transaction
from django.db.models import F
from django.utils.translation import ngettext

from faktura.accounts import permissions
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.invoices.models import Invoice, InvoiceNumberCounter


def next_invoice_number() -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_invoice_number() must run inside the finalizing transaction.")
    InvoiceNumberCounter.objects.get_or_create(pk=1)
    InvoiceNumberCounter.objects.filter(pk=1).update(last_number=F("last_number") + 1)
    return InvoiceNumberCounter.objects.get(pk=1).last_number


def format_invoice_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{sequence}"


def last_invoice_number() -> int:
    counter = InvoiceNumberCounter.objects.filter(pk=1).first()
    return counter.last_number if counter else 0


def reset_invoice_numbering(*, actor: Actor, next_number: int = 1) -> None:
    """Start numbering again; only possible once every invoice has been deleted."""
    require(permissions.can_manage_settings(actor))
    if next_number < 1:
        raise RuleViolation("Invoice numbers start at 1 or higher.")
    with transaction.atomic():
        InvoiceNumberCounter.objects.get_or_create(pk=1)
        InvoiceNumberCounter.objects.select_for_update().get(pk=1)
        remaining = Invoice.objects.count()
        if remaining:
            raise RuleViolation(
                ngettext(
                    "Invoice numbering can only be reset when every invoice has been deleted; "
                    "%(count)s invoice remains. Paid invoices cannot be deleted.",
                    "Invoice numbering can only be reset when every invoice has been deleted; "
                    "%(count)s invoices remain. Paid invoices cannot be deleted.",
                    remaining,
                )
                % {"count": remaining},
                code="numbering_in_use",
            )
        InvoiceNumberCounter.objects.filter(pk=1).update(last_number=next_number - 1)
