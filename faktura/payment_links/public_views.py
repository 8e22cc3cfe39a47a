"""The buyer's page of a payment link, `/l/<token>/`, without a login (PAY-6): the seller, the
items and total, a form for name and email that opens a Stripe Checkout Session, and the
thank-you state when the buyer comes back. Rate limited per address like the invoice buyer page,
kept out of search engines."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.csp import CSP
from django.views.decorators.http import require_GET, require_http_methods

from faktura.accounts.services import get_account_settings
from faktura.core.address_limits import limit_by_address
from faktura.core.errors import RuleViolation
from faktura.payment_links import checkout, rules, services
from faktura.payment_links.models import PaymentLink, Purchase, PurchaseStatus

RATE_SETTING = "FAKTURA_BUYER_RATE_LIMIT"
STRIPE_CHECKOUT = "https://checkout.stripe.com"


def _link_or_404(token: str) -> PaymentLink:
    link = (
        PaymentLink.objects.filter(token=token).prefetch_related("items").first() if token else None
    )
    if link is None:
        raise Http404("This payment link is not valid.")
    return link


def checkout_origins() -> list[str]:
    """Where the buyer's form may lead: Stripe's hosted checkout (the API's own origin for a
    sandbox). Browsers check form-action on the redirect too, so 'self' alone would stop it."""
    api = urlsplit(settings.STRIPE_API_BASE)
    return [CSP.SELF, STRIPE_CHECKOUT, f"{api.scheme}://{api.netloc}"]


def _private(response: HttpResponse) -> HttpResponse:
    # The link may be shared, but its purchases are the buyer's: no indexing, no Referer to others.
    response._csp_config = {**settings.SECURE_CSP, "form-action": checkout_origins()}  # type: ignore[attr-defined]
    response["X-Robots-Tag"] = "noindex, nofollow"
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on the form's
    # POST and Django's CSRF check refuses it; other sites still get no Referer.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def _page(
    request: HttpRequest, link: PaymentLink, *, status: int = 200, **context: object
) -> HttpResponse:
    refusal = rules.can_take_payment(link, services.payments_made(link))
    base = {
        "link": link,
        "items": [(item, item.amounts(link.currency)) for item in link.items.all()],
        "seller": get_account_settings().company_name,
        "closed": "" if refusal else refusal.reason,
        "values": {},
        "error": "",
    }
    return _private(
        render(request, "payment_links/public.html", {**base, **context}, status=status)
    )


@require_http_methods(["GET", "POST"])
@limit_by_address("payment_link", RATE_SETTING)
def public_link(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_404(token)
    if request.method != "POST":
        return _page(request, link)
    values = {"name": request.POST.get("name", ""), "email": request.POST.get("email", "")}
    try:
        purchase = checkout.start_purchase(
            link,
            name=values["name"],
            email=values["email"],
            return_base=request.build_absolute_uri("/"),
        )
    except RuleViolation as refusal:
        return _page(request, link, status=400, values=values, error=refusal.reason)
    return HttpResponseRedirect(purchase.checkout_url)


@require_GET
@limit_by_address("payment_link", RATE_SETTING)
def purchase_done(request: HttpRequest, token: str, purchase_token: str) -> HttpResponse:
    """Where Stripe sends the buyer back: paid (thank you), or still being confirmed."""
    link = _link_or_404(token)
    purchase = Purchase.objects.filter(link=link, token=purchase_token).first()
    if purchase is None:
        raise Http404("This purchase is not known.")
    if purchase.status == PurchaseStatus.OPEN:
        purchase = checkout.read_back(purchase)
    return _page(request, link, purchase=purchase)
