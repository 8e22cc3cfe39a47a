"""The invoice's lifecycle actions: finalize (INV-5), clone (INV-4, INV-20), void (INV-23) and
delete (INV-21, INV-22), the last two behind a confirmation that says what will happen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from faktura.core.errors import RuleViolation
from faktura.core.locales import format_money_for_people
from faktura.core.web import redirect_after_post, render_dialog, show_refusal
from faktura.invoices import rules, services
from faktura.invoices.access import dialog_status, editing_actor, invoice_or_404
from faktura.invoices.models import InvoiceStatus


@login_required
@require_POST
def finalize(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    try:
        invoice = services.finalize_invoice(invoice, actor=actor)
    except RuleViolation as refusal:
        show_refusal(request, refusal)
    else:
        messages.success(
            request,
            f"Invoice {invoice.number} is finalized. Its number and public link are ready to "
            "share with the buyer.",
        )
    return redirect(invoice.get_absolute_url())


@login_required
@require_POST
def clone(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    try:
        copy = services.clone_invoice(invoice, actor=actor)
    except RuleViolation as refusal:
        show_refusal(request, refusal)
        return redirect(invoice.get_absolute_url())
    source = invoice.number or f"draft invoice {invoice.pk}"
    messages.success(
        request,
        f"This new draft is a clone of {source}: same contacts, companies and lines, no payments. "
        "It gets its own number when finalized.",
    )
    return redirect(copy.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def void(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    error = ""
    if request.method == "POST":
        try:
            invoice = services.void_invoice(invoice, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(
                request, f"Invoice {invoice.number} is voided. It can no longer take a payment."
            )
            return redirect_after_post(request, invoice.get_absolute_url())
    decision = rules.can_void(invoice, actor)
    return render_dialog(
        request,
        f"Void invoice {invoice.number or ''}".strip(),
        "invoices/confirm_void.html",
        {
            "invoice": invoice,
            "total": format_money_for_people(invoice.total, invoice.currency),
            "error": error or decision.reason,
            "allowed": decision.ok,
            "action": reverse("invoices:void", args=[invoice.pk]),
        },
        status=dialog_status(request, error),
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    name = f"Invoice {invoice.number}" if invoice.number else f"Draft invoice {invoice.pk}"
    error = ""
    if request.method == "POST":
        try:
            services.delete_invoice(invoice, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            gap = f" Its number {invoice.number} will not be used again." if invoice.number else ""
            messages.success(request, f"{name} was deleted.{gap}")
            return redirect_after_post(request, "/invoices/")
    decision = rules.can_delete(invoice, actor)
    return render_dialog(
        request,
        f"Delete {name[0].lower()}{name[1:]}",
        "invoices/confirm_delete.html",
        {
            "invoice": invoice,
            "name": name,
            "finalized": invoice.status != InvoiceStatus.DRAFT,
            "error": error or decision.reason,
            "allowed": decision.ok,
            "action": reverse("invoices:delete", args=[invoice.pk]),
        },
        status=dialog_status(request, error),
    )
