"""The PDFs Faktura hands out: an invoice (Download, the buyer page, the invoice email) and a
payment receipt. Both are rendered from the same data the pages show."""

from faktura.accounts.services import get_account_settings
from faktura.core.money import format_money
from faktura.invoices.models import Invoice
from faktura.invoices.pdf import render_pdf
from faktura.invoices.properties import public_url
from faktura.invoices.queries import applied_invoice
from faktura.invoices.sheet import build_sheet
from faktura.payments.models import Payment


def invoice_filename(invoice: Invoice) -> str:
    return f"{invoice.number or f'draft-invoice-{invoice.pk}'}.pdf"


def invoice_pdf(invoice: Invoice) -> tuple[str, bytes]:
    """(file name, PDF) of the invoice as it is now; a draft is marked DRAFT on every page."""
    context = {
        "sheet": build_sheet(invoice),
        "invoice": invoice,
        "link": public_url(invoice),
        "account": get_account_settings(),
    }
    return invoice_filename(invoice), render_pdf("invoices/pdf/invoice.html", context)


def receipt_pdf(payment: Payment) -> tuple[str, bytes]:
    invoice = applied_invoice(payment)
    context = {
        "payment": payment,
        "amount": format_money(payment.amount, payment.currency),
        "refunded": (
            format_money(payment.refunded_amount, payment.currency)
            if payment.refunded_amount
            else ""
        ),
        "invoice": invoice,
        "balance_due": format_money(invoice.balance_due, invoice.currency) if invoice else "",
        "account": get_account_settings(),
    }
    return f"receipt-{payment.pk}.pdf", render_pdf("invoices/pdf/receipt.html", context)
