"""The PDFs Faktura hands out: an invoice (Download, the buyer page, the invoice email) and a
payment receipt. Both are rendered from the same data the pages show."""

import hashlib
from typing import Any, NamedTuple

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from faktura.accounts.services import get_account_settings
from faktura.core.locales import format_amount, format_day
from faktura.invoices.issued import current_seller, seller_of
from faktura.invoices.models import Invoice, InvoiceDocument
from faktura.invoices.pdf import STYLESHEET, pdf_from_html, render_pdf
from faktura.invoices.property_values import public_url
from faktura.invoices.queries import applied_invoice
from faktura.invoices.sheet import build_sheet
from faktura.payments.models import Payment


def receipt_locale(invoice: Invoice | None) -> str:
    """A receipt speaks like the invoice it paid, else like the account's new invoices."""
    return invoice.locale if invoice is not None else get_account_settings().invoice_locale


def invoice_filename(invoice: Invoice) -> str:
    return f"{invoice.number or f'draft-invoice-{invoice.pk}'}.pdf"


def invoice_html(invoice: Invoice) -> str:
    """The HTML the invoice's PDF is made from (and whose hash tells a stored PDF is current)."""
    context = {"sheet": build_sheet(invoice), "invoice": invoice, "link": public_url(invoice)}
    return render_to_string("invoices/pdf/invoice.html", context)


def _version(html: str) -> str:
    return hashlib.sha256((html + STYLESHEET.read_text(encoding="utf-8")).encode()).hexdigest()


class RenderedPdf(NamedTuple):
    filename: str
    content: bytes
    # Which state of the invoice it shows (the hash of its HTML): compare with invoice_version().
    version: str


def invoice_version(invoice: Invoice) -> str:
    return _version(invoice_html(invoice))


def rendered_invoice_pdf(invoice: Invoice) -> RenderedPdf:
    """The invoice's PDF as it is now: a finalized invoice's stored PDF while it is current, else
    rendered now (and stored); a draft's is marked DRAFT and not stored."""
    html = invoice_html(invoice)
    version, filename = _version(html), invoice_filename(invoice)
    if not invoice.is_finalized:
        return RenderedPdf(filename, pdf_from_html(html), version)
    stored = InvoiceDocument.objects.filter(invoice=invoice, version=version).first()
    if stored is not None and stored.content:
        return RenderedPdf(filename, bytes(stored.content), version)
    pdf = pdf_from_html(html)
    InvoiceDocument.objects.update_or_create(
        invoice=invoice,
        defaults={"version": version, "content": pdf, "rendered_at": timezone.now(), "error": ""},
    )
    return RenderedPdf(filename, pdf, version)


def invoice_pdf(invoice: Invoice) -> tuple[str, bytes]:
    """(file name, PDF) of the invoice as it is now (see rendered_invoice_pdf)."""
    rendered = rendered_invoice_pdf(invoice)
    return rendered.filename, rendered.content


def render_later(invoice: Invoice) -> None:
    """Bring the stored PDF up to date in the background once this change commits."""
    from faktura.invoices.tasks import render_invoice_pdf_task

    pk = invoice.pk
    transaction.on_commit(lambda: render_invoice_pdf_task.enqueue(pk))


def render_stored_pdf(invoice_id: int) -> str:
    """The background rendering: leaves the stored PDF current, or the reason it is not."""
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None or not invoice.is_finalized:
        return "nothing to render"
    try:
        invoice_pdf(invoice)
    except Exception as error:  # a failed rendering is kept for people to read; Download retries
        InvoiceDocument.objects.update_or_create(
            invoice=invoice, defaults={"version": "", "error": f"{type(error).__name__}: {error}"}
        )
        return "failed"
    return "current"


def receipt_facts(payment: Payment) -> dict[str, Any]:
    """What a receipt says, in the words of its locale: for the PDF and the email alike."""
    invoice = applied_invoice(payment)
    locale = receipt_locale(invoice)
    return {
        "payment": payment,
        "paid_on": format_day(payment.paid_on, locale),
        "amount": format_amount(payment.amount, payment.currency, locale),
        "refunded": (
            format_amount(payment.refunded_amount, payment.currency, locale)
            if payment.refunded_amount
            else ""
        ),
        "invoice": invoice,
        "balance_due": (
            format_amount(invoice.balance_due, invoice.currency, locale) if invoice else ""
        ),
        # The seller of the invoice paid, as it was issued (DOC-1); else as Settings say now.
        "seller": seller_of(invoice) if invoice is not None else current_seller(),
    }


def receipt_pdf(payment: Payment) -> tuple[str, bytes]:
    return f"receipt-{payment.pk}.pdf", render_pdf(
        "invoices/pdf/receipt.html", receipt_facts(payment)
    )
