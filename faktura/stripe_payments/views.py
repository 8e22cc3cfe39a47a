"""Settings → Payments (super admins, PAY-1), the buyer's Pay (PAY-1), Stripe's webhook endpoint
(PAY-2) and the refund dialog on a payment's page (PAY-5). Views only call services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from faktura.accounts.services import invoice_link_base
from faktura.core.address_limits import limit_by_address
from faktura.core.errors import RuleViolation
from faktura.core.locales import format_money_for_people
from faktura.core.web import actor_for, forbid_unless, redirect_after_post, render_dialog
from faktura.invoices.queries import invoice_for_public_token
from faktura.payments.models import Payment
from faktura.stripe_payments import checkout_sessions, connection, refunds, rules, webhooks
from faktura.stripe_payments.models import WebhookEvent

EVENTS_SHOWN = 10


def webhook_url() -> str:
    return f"{invoice_link_base()}{reverse('stripe_payments:webhook')}"


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    forbid_unless(rules.can_manage_stripe(actor))
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "connect")
        try:
            if action == "connect":
                connection.connect(
                    actor=actor,
                    secret_key=request.POST.get("secret_key", ""),
                    webhook_secret=request.POST.get("webhook_secret", ""),
                )
                messages.success(request, _("Stripe is connected. The buyer page now offers Pay."))
            elif action == "create_endpoint":
                connection.create_webhook_endpoint(actor=actor, url=webhook_url())
                messages.success(
                    request,
                    _("The webhook endpoint was created in Stripe and its signing secret saved."),
                )
            elif action == "disconnect":
                connection.disconnect(actor=actor)
                messages.success(request, _("Stripe was disconnected; its stored keys are gone."))
            else:
                error = _("Unknown action “%(action)s”.") % {"action": action}
        except RuleViolation as refusal:
            error = refusal.reason
        if not error:
            return HttpResponseRedirect(reverse("stripe_payments:settings"))
    context = {
        "view": connection.describe(),
        "webhook_url": webhook_url(),
        "events": connection.WEBHOOK_EVENTS,
        "error": error,
        "recent_events": WebhookEvent.objects.all()[:EVENTS_SHOWN],
    }
    return render(request, "stripe_payments/settings.html", context, status=400 if error else 200)


# No CSRF check: the buyer page sends no Referer and an Origin of "null" (its referrer policy),
# and the unguessable token is the only key; a forged Pay only opens a checkout for its holder.
@csrf_exempt
@require_POST
@limit_by_address("buyer", "FAKTURA_BUYER_RATE_LIMIT")
def pay_invoice(request: HttpRequest, token: str) -> HttpResponse:
    """The buyer's Pay: to Stripe's hosted checkout for the balance due."""
    try:
        invoice = invoice_for_public_token(token)
    except RuleViolation:
        return HttpResponse(_("This invoice link is not valid."), status=404)
    buyer_url = request.build_absolute_uri(reverse("invoices:public", args=[token]))
    try:
        session = checkout_sessions.session_for_invoice(invoice, buyer_url=buyer_url)
    except RuleViolation:
        return HttpResponseRedirect(f"{buyer_url}?checkout=unavailable")
    response = HttpResponseRedirect(session.url)
    response.status_code = 303
    return response


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events: 400 and nothing stored unless signed by the endpoint's secret."""
    try:
        event = webhooks.receive(request.body, request.headers.get("Stripe-Signature", ""))
    except RuleViolation as refusal:
        return JsonResponse({"error": refusal.reason}, status=400)
    return JsonResponse({"received": True, "event": event.event_id})


@login_required
@require_http_methods(["GET", "POST"])
def refund(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(Payment, pk=pk)
    actor = actor_for(request)
    error = ""
    amount_text = request.POST.get("amount", "") if request.method == "POST" else ""
    reason = request.POST.get("reason", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            value = Decimal(amount_text.strip().replace(",", ""))
        except InvalidOperation:
            error = _("Enter the amount to refund as a number, such as 25.00.")
        else:
            try:
                made = refunds.request_refund(payment, amount=value, reason=reason, actor=actor)
            except RuleViolation as refusal:
                error = refusal.reason
            else:
                made.refresh_from_db()
                text = _("Refund of %(amount)s: %(status)s.") % {
                    "amount": format_money_for_people(made.amount, made.currency),
                    "status": made.get_status_display().lower(),
                }
                (messages.error if made.status == "failed" else messages.success)(
                    request, f"{text} {made.message}".strip()
                )
                return redirect_after_post(request, payment.get_absolute_url())
    decision = rules.can_refund(payment, actor)
    left = rules.refundable(payment)
    return render_dialog(
        request,
        _("Refund payment %(pk)s") % {"pk": payment.pk},
        "stripe_payments/refund.html",
        {
            "payment": payment,
            "allowed": decision.ok,
            "error": error or decision.reason,
            "left": format_money_for_people(left, payment.currency),
            "amount": amount_text or (str(left) if decision.ok else ""),
            "reason": reason,
            "action": reverse("stripe_payments:refund", args=[payment.pk]),
        },
        status=400 if error else 200,
    )
