"""Payment link pages for staff: the list, make a link, its record page, deactivate and
activate (PAY-6). The buyer's public page is in public_views.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faktura.accounts.services import get_account_settings
from faktura.core.errors import RuleViolation
from faktura.core.web import actor_for, forbid_unless
from faktura.payment_links import choices, rules, services
from faktura.payment_links.models import PaymentLink, PurchaseStatus

COMPLETED = Q(purchases__status=PurchaseStatus.COMPLETED)
FILTERS = ("all", "active", "inactive")


def _with_totals(links: Any) -> Any:
    return links.annotate(
        paid_count=Count("purchases", filter=COMPLETED),
        collected=Coalesce(
            Sum(
                F("purchases__payment__amount") - F("purchases__payment__refunded_amount"),
                filter=COMPLETED,
            ),
            Value(0),
            output_field=DecimalField(max_digits=18, decimal_places=4),
        ),
    ).prefetch_related("items")


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "all")
    state = state if state in FILTERS else "all"
    links = PaymentLink.objects.all()
    if state != "all":
        links = links.filter(active=state == "active")
    return render(
        request,
        "payment_links/index.html",
        {
            "links": _with_totals(links),
            "state": state,
            "can_edit": bool(rules.can_manage_links(actor_for(request))),
        },
    )


def _rows(request: HttpRequest) -> list[dict[str, str]]:
    """The product rows as typed, kept when the form comes back with an error."""
    products = request.POST.getlist("product")
    quantities = request.POST.getlist("quantity")
    return [
        {"product": product, "quantity": quantity}
        for product, quantity in zip(products, quantities, strict=False)
    ] or [{"product": "", "quantity": "1"}]


@login_required
@require_http_methods(["GET", "POST"])
def new_link(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    forbid_unless(rules.can_manage_links(actor))
    error = ""
    if request.method == "POST":
        items = [
            services.ItemInput(row["product"], row["quantity"])
            for row in _rows(request)
            if row["product"].strip()
        ]
        try:
            link = services.create_link(
                actor=actor,
                name=request.POST.get("name", ""),
                currency=request.POST.get("currency", ""),
                items=items,
                payment_limit=request.POST.get("payment_limit", ""),
            )
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(request, _("Payment link %(name)s created.") % {"name": link.name})
            return HttpResponseRedirect(link.get_absolute_url())
    context = {
        "error": error,
        "values": request.POST if request.method == "POST" else {},
        "currency": request.POST.get("currency") or get_account_settings().default_currency,
        "currencies": choices.currencies(),
        "products": choices.products(),
        "rows": _rows(request),
    }
    return render(request, "payment_links/new.html", context, status=400 if error else 200)


@login_required
@require_GET
def product_row(request: HttpRequest) -> HttpResponse:
    """One more product row for the new-link form (HTMX)."""
    return render(
        request,
        "payment_links/_product_row.html",
        {"row": {"product": "", "quantity": "1"}, "products": choices.products()},
    )


@login_required
@require_GET
def link_page(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(_with_totals(PaymentLink.objects.all()), pk=pk)
    purchases = (
        link.purchases.filter(status=PurchaseStatus.COMPLETED)
        .select_related("payment", "deal", "contact")
        .order_by("-completed_at", "-id")
    )
    return render(
        request,
        "payment_links/link.html",
        {
            "link": link,
            "public_url": request.build_absolute_uri(link.public_path()),
            "purchases": purchases,
            "limit_reached": not rules.can_take_payment(link, link.paid_count) and link.active,
            "can_edit": bool(rules.can_manage_links(actor_for(request))),
        },
    )


@login_required
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(PaymentLink, pk=pk)
    actor = actor_for(request)
    forbid_unless(rules.can_manage_links(actor))
    active = request.POST.get("active") == "1"
    services.set_active(link, active, actor=actor)
    if active:
        text = _("Payment link %(name)s is active: buyers can pay it.")
    else:
        text = _(
            "Payment link %(name)s is deactivated: its page tells buyers it takes no payments."
        )
    messages.success(request, text % {"name": link.name})
    return HttpResponseRedirect(link.get_absolute_url())
