"""The buyer's page: one invoice at its unguessable public link, without a login (INV-15,
INV-17, INV-31). It shows what the buyer is billed for, and nothing of the staff's data.
Each client address may open it `FAKTURA_BUYER_RATE_LIMIT` times per window (issue 13): the
link is a secret, and its PDF costs a render."""

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from faktura.core.address_limits import limit_by_address
from faktura.core.errors import RuleViolation
from faktura.core.web import attachment_response
from faktura.invoices import online_payment
from faktura.invoices.documents import invoice_pdf
from faktura.invoices.models import Invoice
from faktura.invoices.queries import invoice_for_public_token
from faktura.invoices.sheet import build_sheet


def _invoice_or_404(token: str) -> Invoice:
    try:
        return invoice_for_public_token(token)
    except RuleViolation:
        raise Http404("This invoice link is not valid.") from None


def _private(response: HttpResponse) -> HttpResponse:
    # The link is the buyer's key: keep it out of search engines and out of Referer headers.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@limit_by_address("buyer", "FAKTURA_BUYER_RATE_LIMIT")
def public_invoice(request: HttpRequest, token: str) -> HttpResponse:
    invoice = _invoice_or_404(token)
    # The state first: reading a late payment back may mark the invoice paid (PAY-2).
    state = online_payment.payment_state(invoice, request)
    if state is not None:
        invoice.refresh_from_db()
    context = {
        "sheet": build_sheet(invoice),
        "invoice": invoice,
        "pdf_url": reverse("invoices:public_pdf", args=[token]),
        "pay_url": online_payment.pay_url(invoice),
        "payment_state": state,
    }
    return _allowing_pay_redirect(_private(render(request, "invoices/buyer.html", context)))


def _allowing_pay_redirect(response: HttpResponse) -> HttpResponse:
    """Pay posts a form answered by a redirect to the processor's hosted page, and browsers hold
    redirects after a form to the page's CSP form-action: allow the processor's origins."""
    origins = online_payment.form_origins()
    if origins:
        policy: dict[str, Any] = dict(settings.SECURE_CSP)
        policy["form-action"] = [*policy.get("form-action", []), *origins]
        response._csp_config = policy  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return response


@require_GET
@limit_by_address("buyer", "FAKTURA_BUYER_RATE_LIMIT")
def public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """Download PDF on the buyer page (INV-31)."""
    filename, pdf = invoice_pdf(_invoice_or_404(token))
    return _private(attachment_response(pdf, filename, "application/pdf"))
