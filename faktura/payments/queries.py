"""Finding payments to apply to an invoice (INV-11): by amount, payment id or contact email."""

from decimal import Decimal, InvalidOperation

from django.db.models import Q, QuerySet

from faktura.payments.models import Payment


def search_payments(
    text: str, *, currency: str | None = None, limit: int = 25
) -> QuerySet[Payment]:
    text = (text or "").strip()
    if not text:
        return Payment.objects.none()
    query = Q(customer_email__iexact=text) | Q(contact__email__iexact=text)
    query |= Q(processor_payment_id=text) | Q(reference__iexact=text)
    if text.isdigit():
        query |= Q(pk=int(text))
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        amount = None
    if amount is not None and amount.is_finite():
        query |= Q(amount=amount)
    payments = Payment.objects.filter(query).select_related("contact")
    if currency:
        payments = payments.filter(currency=currency)
    return payments.order_by("-paid_on", "-id")[:limit]
