"""The buyer's page: one invoice at its unguessable public link, without a login (INV-15,
INV-17, INV-31). It shows what the buyer is billed for, and nothing of the staff's data."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from faktura.core.errors import RuleViolation
from faktura.invoices.queries import invoice_for_public_token
from faktura.invoices.sheet import build_sheet


def _pdf_url(token: str) -> str:
    """The PDF comes with invoice documents (issue 4): link it once its URL exists."""
    try:
        return reverse("invoices:public_pdf", args=[token])
    except NoReverseMatch:
        return ""


@require_GET
def public_invoice(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invoice = invoice_for_public_token(token)
    except RuleViolation:
        raise Http404("This invoice link is not valid.") from None
    response = render(
        request,
        "invoices/buyer.html",
        {"sheet": build_sheet(invoice), "invoice": invoice, "pdf_url": _pdf_url(token)},
    )
    # The link is the buyer's key: keep it out of search engines and out of Referer headers.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
