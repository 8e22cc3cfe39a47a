"""Insert → Invoice in a one-to-one email (INV-30): pick a finalized invoice by number, contact
or amount; its link, labelled with its number, goes into the message."""

import contextlib
from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from faktura.emails.composing import link_text
from faktura.invoices.models import Invoice, InvoiceStatus
from faktura.invoices.properties import public_url

PICKED = 10


def find_invoices(text: str) -> QuerySet[Invoice]:
    """Finalized invoices whose number, contact or total matches, newest first."""
    invoices = Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
    text = text.strip()
    if text:
        match = (
            Q(number__icontains=text)
            | Q(contacts__email__icontains=text)
            | Q(contacts__first_name__icontains=text)
            | Q(contacts__last_name__icontains=text)
        )
        with contextlib.suppress(InvalidOperation):
            match |= Q(total=Decimal(text.replace(",", "")))
        invoices = invoices.filter(match).distinct()
    return invoices.order_by("-number_seq", "-id")


@login_required
@require_GET
def insert_picker(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    choices = [
        (invoice, link_text(invoice.number or "", public_url(invoice) or ""))
        for invoice in find_invoices(text)[:PICKED]
    ]
    return render(request, "invoices/insert_picker.html", {"q": text, "choices": choices})
