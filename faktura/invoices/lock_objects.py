"""The only place that locks invoices: every read-then-write starts here (ARCHITECTURE §4.3)."""

from faktura.core.errors import RuleViolation
from faktura.invoices.models import Checkout, Invoice


def invoice_for_update(pk: int) -> Invoice:
    try:
        return Invoice.objects.select_for_update().get(pk=pk)
    except Invoice.DoesNotExist:
        raise RuleViolation(
            f"Invoice {pk} does not exist (it may have been deleted).", code="not_found"
        ) from None


def checkout_for_update(token: str) -> Checkout:
    try:
        return Checkout.objects.select_for_update().get(token=token)
    except Checkout.DoesNotExist:
        raise RuleViolation("This checkout does not exist.", code="not_found") from None
