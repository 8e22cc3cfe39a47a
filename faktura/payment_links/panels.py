"""The "Payments" card on deal pages (the online payments that closed the deal, a payment link's
"Payment Link" deal, PAY-6, with the link they came through) and the "Deal" card on a payment's
page. Registered into core's record panels, so sales never imports payments."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string

from faktura.core.record_panels import RecordPanel, record_panels
from faktura.payment_links.models import Purchase
from faktura.payments.models import Payment
from faktura.sales.models import Deal


def payment_deal_panel(request: HttpRequest, record: models.Model) -> str:
    """On a payment's page: the deal it closed and the payment link it came through."""
    if not isinstance(record, Payment) or record.deal_id is None:
        return ""
    purchase = Purchase.objects.filter(payment=record).select_related("link").first()
    context = {"deal": record.deal, "purchase": purchase}
    return render_to_string("payment_links/_payment_deal.html", context, request=request)


def deal_payments_panel(request: HttpRequest, record: models.Model) -> str:
    if not isinstance(record, Deal):
        return ""
    payments = list(record.payments.order_by("id"))
    if not payments:
        return ""
    purchases = {
        purchase.payment_id: purchase
        for purchase in Purchase.objects.filter(payment__in=payments).select_related("link")
    }
    rows = [(payment, purchases.get(payment.pk)) for payment in payments]
    return render_to_string("payment_links/_deal_payments.html", {"rows": rows}, request=request)


def register() -> None:
    record_panels.register("deal_payments", RecordPanel("deal_payments", deal_payments_panel))
    record_panels.register("payment_deal", RecordPanel("payment_deal", payment_deal_panel))
