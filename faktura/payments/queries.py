"""Finding payments to apply to an invoice (INV-11): by amount, payment id or contact email."""

from contextlib import suppress

from django.db.models import Q, QuerySet

from faktura.core.errors import RuleViolation
from faktura.core.locales import people_locale, read_amount
from faktura.payments.models import Payment


def search_payments(
    text: str, *, currency: str | None = None, limit: int = 25
) -> QuerySet[Payment]:
    """Payments matching `text`; an amount is read as the person searching writes it
    ("1 000,50" in nb-NO, "1,000.50" in en-US; DOC-4)."""
    text = (text or "").strip()
    if not text:
        return Payment.objects.none()
    query = Q(customer_email__iexact=text) | Q(contact__email__iexact=text)
    query |= Q(processor_payment_id=text) | Q(reference__iexact=text)
    if text.isdigit():
        query |= Q(pk=int(text))
    with suppress(RuleViolation):  # not an amount: an id, an email or a reference
        query |= Q(amount=read_amount(text, people_locale()))
    payments = Payment.objects.filter(query).select_related("contact")
    if currency:
        payments = payments.filter(currency=currency)
    return payments.order_by("-paid_on", "-id")[:limit]
