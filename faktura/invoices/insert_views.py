"""Insert → Invoice in a one-to-one email (INV-30): pick a finalized invoice by number, contact,
company or amount (the invoice index's quick search); its link, labelled with its number, goes
into the message."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from faktura.core.locales import format_amount, people_locale
from faktura.emails.composing import link_text
from faktura.invoices.models import Invoice, InvoiceStatus
from faktura.invoices.properties import INVOICE
from faktura.invoices.property_values import public_url
from faktura.listings.quick_search import text_search_q

PICKED = 10


@dataclass(frozen=True)
class Choice:
    invoice: Invoice
    text: str  # what goes into the message: the link labelled with the number
    due: str  # the balance due as the user reads amounts


def find_invoices(text: str, *, locale: str) -> QuerySet[Invoice]:
    """Finalized invoices the text finds as the index page's quick search does, newest first."""
    invoices = Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
    if text := text.strip():
        invoices = invoices.filter(text_search_q(INVOICE, text, locale=locale))
    return invoices.order_by("-number_seq", "-id")


@login_required
@require_GET
def insert_picker(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    locale = people_locale()
    choices = [
        Choice(
            invoice,
            link_text(invoice.number or "", public_url(invoice) or ""),
            format_amount(invoice.balance_due, invoice.currency, locale),
        )
        for invoice in find_invoices(text, locale=locale)[:PICKED]
    ]
    return render(request, "invoices/insert_picker.html", {"q": text, "choices": choices})
