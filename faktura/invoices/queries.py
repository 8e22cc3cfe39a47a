"""Reading invoices: the buyer's public link and permission-checked getters."""

from django.db.models import QuerySet

from faktura.core.errors import RuleViolation
from faktura.invoices.models import Invoice, InvoicePayment, InvoiceStatus
from faktura.payments.models import Payment


def invoice_for_public_token(token: str) -> Invoice:
    """The one invoice a public link shows; drafts have no link, and unknown tokens show nothing."""
    invoice = (
        Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
        .filter(public_token=token)
        .prefetch_related("lines")
        .first()
        if token
        else None
    )
    if invoice is None:
        raise RuleViolation("This invoice link is not valid.", code="not_found")
    return invoice


def search_invoices_for_insert(text: str, limit: int = 20) -> QuerySet[Invoice]:
    """Finalized invoices by number, for the 'insert invoice' picker (INV-30)."""
    invoices = Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
    if text:
        invoices = invoices.filter(number__icontains=text.strip())
    return invoices.order_by("-number_seq")[:limit]


def applied_invoice(payment: Payment) -> Invoice | None:
    """The invoice a payment paid, if any (a payment pays at most one)."""
    application = InvoicePayment.objects.filter(payment=payment).select_related("invoice").first()
    return application.invoice if application else None
