"""Creating and editing invoices: the new-invoice form, drafts from deals and quotes, the edit
form (INV-4, INV-6…INV-10) and the message proposed to the customer after an edit (INV-7)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faktura.accounts.services import get_account_settings
from faktura.core.errors import RuleViolation
from faktura.core.properties import unarchived
from faktura.core.web import show_refusal
from faktura.crm.models import Company, Contact
from faktura.invoices import rules, services
from faktura.invoices.access import editing_actor, invoice_or_404
from faktura.invoices.changes import edit_changes
from faktura.invoices.forms import (
    OPTIONS_SHOWN,
    InvoiceDetailsForm,
    NewInvoiceForm,
)
from faktura.invoices.issued import reissued_differences
from faktura.invoices.models import Invoice
from faktura.invoices.services import InvoiceEdit
from faktura.sales.line_forms import BaseLineFormSet, line_formset, with_added_line
from faktura.sales.models import Deal, Quote


def _form_page(
    request: HttpRequest,
    form: InvoiceDetailsForm,
    lines: BaseLineFormSet,
    invoice: Invoice | None,
    error: str = "",
) -> HttpResponse:
    context = {
        "form": form,
        "lines": lines,
        "invoice": invoice,
        "error": error,
        "reissued": reissued_differences(invoice) if invoice else [],
    }
    status = 400 if request.method == "POST" and (error or form.errors or lines.errors) else 200
    return render(request, "invoices/edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new_invoice(request: HttpRequest) -> HttpResponse:
    """A new draft: contact, company, dates, terms and lines (INV-4)."""
    actor = editing_actor(request)
    if request.method == "GET":
        account = get_account_settings()
        initial: dict[str, Any] = {
            "currency": account.default_currency,
            "payment_terms": account.default_payment_terms,
            "invoice_date": timezone.localdate(),
            "tax_id": account.company_tax_id,
            "locale": account.invoice_locale,
        }
        if (contact_id := request.GET.get("contact", "")).isdigit():
            initial["contact"] = contact_id
        return _form_page(request, NewInvoiceForm(initial=initial), line_formset(), None)
    data: QueryDict = request.POST
    if "add_line" in data:
        data = with_added_line(data)
    form, lines = NewInvoiceForm(data), line_formset(data)
    if "add_line" in request.POST or not (form.is_valid() and lines.is_valid()):
        return _form_page(request, form, lines, None)
    contact, company = form.cleaned_data["contact"], form.cleaned_data["company"]
    try:
        invoice = services.create_draft_invoice(
            actor=actor,
            contacts=[contact] if contact else [],
            companies=[company] if company else [],
            lines=lines.line_inputs(),
            values=form.values(),
        )
    except RuleViolation as refusal:
        return _form_page(request, form, lines, None, refusal.reason)
    messages.success(request, "Draft invoice created. Finalize it when it is ready to send.")
    return redirect(invoice.get_absolute_url())


@login_required
@require_POST
def from_deal(request: HttpRequest, deal_id: int) -> HttpResponse:
    """A draft with the deal's contacts, companies and line items."""
    actor = editing_actor(request)
    deal = get_object_or_404(Deal, pk=deal_id)
    try:
        invoice = services.create_invoice_from_deal(deal, actor=actor)
    except RuleViolation as refusal:
        show_refusal(request, refusal)
        return redirect(deal.get_absolute_url())
    messages.success(request, f"Draft invoice created from the deal {deal.name}.")
    return redirect(invoice.get_absolute_url())


@login_required
@require_POST
def from_quote(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor = editing_actor(request)
    quote = get_object_or_404(Quote, pk=quote_id)
    try:
        invoice = services.create_invoice_from_quote(quote, actor=actor)
    except RuleViolation as refusal:
        show_refusal(request, refusal)
        return redirect(quote.get_absolute_url())
    messages.success(request, f"Draft invoice created from the quote {quote.title}.")
    return redirect(invoice.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def edit_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft, or a finalized invoice when INV-6…INV-10 allow it."""
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    decision = rules.can_edit(invoice, actor)
    if not decision:
        # Setting off, payments, voided, subscription: the same reason as on the Edit item.
        messages.error(request, decision.reason)
        return redirect(invoice.get_absolute_url())
    if request.method == "GET":
        return _form_page(
            request,
            InvoiceDetailsForm(invoice=invoice),
            line_formset(stored=invoice.lines.all()),
            invoice,
        )
    data: QueryDict = request.POST
    if "add_line" in data:
        data = with_added_line(data)
    form = InvoiceDetailsForm(data, invoice=invoice)
    lines = line_formset(data, stored=invoice.lines.all())
    if "add_line" in request.POST or not (form.is_valid() and lines.is_valid()):
        return _form_page(request, form, lines, invoice)
    try:
        edit = services.update_invoice(
            invoice, actor=actor, values=form.values(), lines=lines.line_inputs()
        )
    except RuleViolation as refusal:
        return _form_page(request, form, lines, invoice, refusal.reason)
    if edit.cancelled_checkouts:
        # INV-9: the buyer must start again and sees the new amount.
        messages.warning(
            request,
            "The buyer had started paying this invoice online; that checkout was cancelled "
            "and they will see the new amount when they start again.",
        )
    if invoice.is_finalized and not edit.changes:
        messages.info(request, "Nothing changed on the invoice.")
    elif not edit.customer_message:
        messages.success(request, "Invoice saved.")
    return redirect(after_edit_url(edit))


def after_edit_url(edit: InvoiceEdit) -> str:
    """After an edit of a finalized invoice that changed it: let the customer know (INV-7)."""
    if edit.event_id is None:
        return edit.invoice.get_absolute_url()
    return reverse("invoices:customer_message", args=[edit.invoice.pk, edit.event_id])


@login_required
@require_GET
def proposed_customer_message(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    """INV-7: what changed (old → new), and Send to tell the customer with the updated invoice
    attached (the Send dialog, prefilled with a message about the change)."""
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    changes = edit_changes(invoice, entry_id)
    if changes is None:
        raise Http404("No such edit of this invoice.")
    send = f"{reverse('invoices:send', args=[invoice.pk])}?edit={entry_id}"
    return render(
        request,
        "invoices/customer_message.html",
        {
            "invoice": invoice,
            "changes": changes,
            "send": send,
            "can_send": rules.can_send(invoice, actor),
        },
    )


# --- choosing a contact or company on the new-invoice form -----------------------------------


@login_required
@require_GET
def contact_options(request: HttpRequest) -> HttpResponse:
    """The contact select's options matching a search (HTMX swaps them into the select)."""
    contacts = unarchived(Contact.objects.all())
    for word in request.GET.get("q", "").split()[:5]:
        contacts = contacts.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    options = [
        (c.pk, str(c)) for c in contacts.order_by("first_name", "last_name", "id")[:OPTIONS_SHOWN]
    ]
    return render(
        request,
        "invoices/options.html",
        {"options": options, "empty_label": "— No contact yet —", "q": request.GET.get("q")},
    )


@login_required
@require_GET
def company_options(request: HttpRequest) -> HttpResponse:
    companies = unarchived(Company.objects.all())
    for word in request.GET.get("q", "").split()[:5]:
        companies = companies.filter(Q(name__icontains=word) | Q(domain__icontains=word))
    options = [(c.pk, c.name) for c in companies.order_by("name", "id")[:OPTIONS_SHOWN]]
    return render(
        request,
        "invoices/options.html",
        {"options": options, "empty_label": "— No company —", "q": request.GET.get("q")},
    )
