"""Payments on an invoice: the Record payment dialog with its two tabs (INV-11), and the payment
record page with Delete (INV-13). It lives here because it shows the invoice a payment paid;
the payments app knows no invoices."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faktura.core.errors import RuleViolation
from faktura.core.locales import format_money_for_people, number_for_input, people_locale
from faktura.core.text_input import printable
from faktura.core.web import actor_for, redirect_after_post, render_dialog
from faktura.invoices import invoice_payments, panels, rules
from faktura.invoices.access import dialog_status, editing_actor, invoice_or_404
from faktura.invoices.forms import PaymentForm
from faktura.invoices.models import Invoice, InvoiceStatus, PaymentState
from faktura.invoices.queries import applied_invoice
from faktura.listings.columns import property_rows
from faktura.payments.models import Payment
from faktura.payments.queries import search_payments


def _state(invoice: Invoice) -> str:
    """The invoice's amounts after a payment change, for the flash message."""
    invoice.refresh_from_db()
    status = invoice.get_status_display()
    partly = invoice.payment_state == PaymentState.PARTIALLY_PAID
    if invoice.status == InvoiceStatus.OPEN and partly:
        status = PaymentState.PARTIALLY_PAID.label
    return (
        f"Invoice {invoice.number} is now {status}, with "
        f"{format_money_for_people(invoice.balance_due, invoice.currency)} due."
    )


def _matches(invoice: Invoice, text: str) -> list[dict[str, Any]]:
    payments = search_payments(text, currency=invoice.currency).select_related(
        "invoice_application__invoice"
    )
    rows = []
    for payment in payments:
        applied = getattr(payment, "invoice_application", None)
        contact_email = payment.contact.email if payment.contact else ""
        rows.append(
            {
                "payment": payment,
                "amount": format_money_for_people(payment.amount, payment.currency),
                "applied_to": applied.invoice if applied else None,
                "email": payment.customer_email or contact_email,
            }
        )
    return rows


def _payment_dialog(
    request: HttpRequest,
    invoice: Invoice,
    form: PaymentForm,
    *,
    tab: str = "new",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    # A refused Apply shows the dialog again with the same search.
    # The middleware refuses a control character in the address; a posted search drops it.
    text = printable(request.GET.get("q") or request.POST.get("q") or "").strip()
    actor = actor_for(request)
    decision = rules.can_record_payment(invoice, actor)
    context = {
        "invoice": invoice,
        "form": form,
        "tab": tab,
        "q": text,
        "matches": _matches(invoice, text) if text else [],
        "error": error,
        "refusal": "" if decision else decision.reason,
        "balance_due": format_money_for_people(invoice.balance_due, invoice.currency),
        # Amounts are searched as the person writes them (DOC-4).
        "amount_example": number_for_input(Decimal(150), people_locale(), decimals=2),
        "action": reverse("invoices:record_payment", args=[invoice.pk]),
        "search_url": reverse("invoices:search_payments", args=[invoice.pk]),
        "apply_url": reverse("invoices:apply_payment", args=[invoice.pk]),
    }
    return render_dialog(
        request, f"Record payment · {invoice}", "invoices/record_payment.html", context, status
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """Tab "New payment" posts here; GET shows the dialog (tab=existing&q=… searches)."""
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    if request.method == "GET":
        tab = "existing" if request.GET.get("tab") == "existing" else "new"
        return _payment_dialog(request, invoice, PaymentForm(invoice=invoice), tab=tab)
    form = PaymentForm(request.POST, invoice=invoice)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = invoice_payments.record_invoice_payment(
                invoice,
                actor=actor,
                amount=data["amount"],
                paid_on=data["paid_on"],
                method=data["method"],
                reference=data["reference"],
                note=data["note"],
            )
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            amount = format_money_for_people(payment.amount, payment.currency)
            messages.success(request, f"Payment of {amount} recorded. {_state(invoice)}")
            return redirect_after_post(request, invoice.get_absolute_url())
    else:
        error = "Please correct the fields marked below."
    return _payment_dialog(
        request, invoice, form, error=error, status=dialog_status(request, error)
    )


@login_required
@require_GET
def payment_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Tab "Use existing": payments by amount, payment id or contact email (HTMX results)."""
    editing_actor(request)
    invoice = invoice_or_404(pk)
    text = request.GET.get("q", "").strip()
    return render(
        request,
        "invoices/record_payment.html#results",
        {
            "invoice": invoice,
            "q": text,
            "matches": _matches(invoice, text) if text else [],
            "apply_url": reverse("invoices:apply_payment", args=[invoice.pk]),
        },
    )


@login_required
@require_POST
def apply_payment(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    payment_id = request.POST.get("payment", "")
    payment = get_object_or_404(Payment, pk=payment_id) if payment_id.isdigit() else None
    error = "Pick a payment to apply."
    if payment is not None:
        try:
            invoice_payments.apply_payment_to_invoice(invoice, payment, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            amount = format_money_for_people(payment.amount, payment.currency)
            messages.success(
                request, f"Payment {payment.pk} of {amount} applied. {_state(invoice)}"
            )
            return redirect_after_post(request, invoice.get_absolute_url())
    return _payment_dialog(
        request,
        invoice,
        PaymentForm(invoice=invoice),
        tab="existing",
        error=error,
        status=dialog_status(request, error),
    )


# --- the payment record page (INV-13) -------------------------------------------------------


@login_required
@require_GET
def payment_page(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("contact"), pk=pk)
    actor = actor_for(request)
    invoice = applied_invoice(payment)
    return render(
        request,
        "invoices/payment.html",
        {
            "payment": payment,
            "amount": format_money_for_people(payment.amount, payment.currency),
            "invoice": invoice,
            "invoice_balance": (
                format_money_for_people(invoice.balance_due, invoice.currency) if invoice else ""
            ),
            "delete": rules.can_delete_payment(payment, actor),
            "receipt": rules.can_send_receipt(payment, actor),
            "properties": property_rows(payment),
            "log": panels.invoice_log(payment),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm with "Delete record"; the invoice's amounts and status follow (INV-13)."""
    actor = editing_actor(request)
    payment = get_object_or_404(Payment, pk=pk)
    invoice = applied_invoice(payment)
    amount = format_money_for_people(payment.amount, payment.currency)
    error = ""
    if request.method == "POST":
        try:
            # Also deletes a payment applied to no invoice (payments.services underneath).
            invoice_payments.delete_payment(payment, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            if invoice is None:
                messages.success(request, f"Payment {pk} of {amount} was deleted.")
                return redirect_after_post(request, "/payments/")
            messages.success(request, f"Payment {pk} of {amount} was deleted. {_state(invoice)}")
            return redirect_after_post(request, invoice.get_absolute_url())
    decision = rules.can_delete_payment(payment, actor)
    return render_dialog(
        request,
        f"Delete payment {payment.pk}",
        "invoices/confirm_delete_payment.html",
        {
            "payment": payment,
            "amount": amount,
            "invoice": invoice,
            "error": error or decision.reason,
            "allowed": decision.ok,
            "action": reverse("invoices:delete_payment", args=[payment.pk]),
        },
        status=dialog_status(request, error),
    )
