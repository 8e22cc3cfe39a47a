"""The "Refunds" card on an online payment's page (PAY-5): Refund, and each refund with its
state at Stripe. Registered into core's record panels when the app is ready."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string

from faktura.core.locales import format_money_for_people
from faktura.core.record_panels import RecordPanel, record_panels
from faktura.core.web import actor_for
from faktura.payments.models import Payment, Processor
from faktura.stripe_payments import rules
from faktura.stripe_payments.models import StripeRefund


def refunds_panel(request: HttpRequest, record: models.Model) -> str:
    if not isinstance(record, Payment) or record.processor != Processor.STRIPE:
        return ""
    rows = [
        {"refund": refund, "amount": format_money_for_people(refund.amount, refund.currency)}
        for refund in StripeRefund.objects.filter(payment=record).select_related("requested_by")
    ]
    context = {
        "payment": record,
        "rows": rows,
        "can_refund": rules.can_refund(record, actor_for(request)),
        "fee": format_money_for_people(record.fees_amount, record.currency),
    }
    return render_to_string("stripe_payments/_refunds_panel.html", context, request=request)


def register() -> None:
    record_panels.register("stripe_refunds", RecordPanel("stripe_refunds", refunds_panel))
