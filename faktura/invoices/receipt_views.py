"""Send receipt (INV-12): for one payment from its page, or for the payments ticked on the
payments index. Recording a payment never sends one by itself."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from faktura.core.actors import Actor
from faktura.core.errors import Decision, RuleViolation, refuse
from faktura.core.forms import StyledForm
from faktura.core.locales import format_money_for_people
from faktura.core.web import redirect_after_post, render_dialog
from faktura.invoices import rules, sending
from faktura.invoices.access import dialog_status, editing_actor
from faktura.payments.models import Payment

# Receipts sent at once from the payments index.
MAX_RECEIPTS = 100


class ReceiptForm(StyledForm):
    to = forms.CharField(label="Send to", max_length=254)


@dataclass(frozen=True)
class ReceiptRow:
    payment: Payment
    amount: str
    to: str
    decision: Decision


def _row(payment: Payment, actor: Actor) -> ReceiptRow:
    decision = rules.can_send_receipt(payment, actor)
    to = sending.receipt_recipient(payment)
    if decision and not to:
        decision = refuse("No email address on the payment: open it to type one.", "no_recipient")
    return ReceiptRow(
        payment, format_money_for_people(payment.amount, payment.currency), to, decision
    )


@login_required
@require_http_methods(["GET", "POST"])
def send_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    payment = get_object_or_404(Payment.objects.select_related("contact"), pk=pk)
    form = ReceiptForm(request.POST or None, initial={"to": sending.receipt_recipient(payment)})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            email = sending.send_receipt(payment, actor=actor, to=form.cleaned_data["to"])
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(
                request, f"The receipt for payment {pk} is on its way to {email.to[0]}."
            )
            return redirect_after_post(request, payment.get_absolute_url())
    decision = rules.can_send_receipt(payment, actor)
    return render_dialog(
        request,
        f"Send receipt · payment {payment.pk}",
        "invoices/send_receipt.html",
        {
            "payment": payment,
            "amount": format_money_for_people(payment.amount, payment.currency),
            "form": form,
            "error": error or decision.reason,
            "allowed": decision.ok,
            "action": reverse("invoices:send_receipt", args=[payment.pk]),
        },
        status=dialog_status(request, error),
    )


@login_required
@require_http_methods(["GET", "POST"])
def send_receipts(request: HttpRequest) -> HttpResponse:
    """The payments ticked on the index: which get a receipt, and why the others do not."""
    actor = editing_actor(request)
    data = request.POST if request.method == "POST" else request.GET
    ids = [int(i) for i in data.getlist("ids") if i.isdigit()][:MAX_RECEIPTS]
    payments = Payment.objects.filter(pk__in=ids).select_related("contact").order_by("-id")
    rows = [_row(payment, actor) for payment in payments]
    if request.method == "POST":
        sent, refused = 0, []
        for row in rows:
            if not row.decision:
                continue
            try:
                sending.send_receipt(row.payment, actor=actor, to=row.to)
                sent += 1
            except RuleViolation as refusal:
                refused.append(f"payment {row.payment.pk}: {refusal.reason}")
        if sent:
            messages.success(
                request,
                ngettext(
                    "A receipt is on its way for %(count)s payment.",
                    "Receipts are on their way for %(count)s payments.",
                    sent,
                )
                % {"count": sent},
            )
        for reason in refused:
            messages.error(request, f"No receipt for {reason}")
        return redirect_after_post(request, "/payments/")
    return render_dialog(
        request,
        "Send receipts",
        "invoices/send_receipts.html",
        {
            "rows": rows,
            "sendable": sum(1 for row in rows if row.decision),
            "action": reverse("invoices:send_receipts"),
        },
    )
