"""The invoice record page: the invoice as the buyer sees it and its side panel (INV-2), the
property history dialog (INV-16), the owner and the contact and company associations."""

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.web import (
    actor_for,
    attachment_response,
    redirect_after_post,
    render_dialog,
    show_refusal,
)
from faktura.crm.activities import ACTIVITIES_SHOWN, activities_on
from faktura.crm.models import Company, Contact
from faktura.crm.queries import PICKER_RESULTS, search_companies, search_contacts
from faktura.emails.queries import emails_about
from faktura.history import readable
from faktura.history.models import Entry
from faktura.history.queries import edit_log, property_history
from faktura.invoices import panels, rules, services
from faktura.invoices.access import editing_actor, invoice_or_404
from faktura.invoices.documents import invoice_pdf
from faktura.invoices.edit_views import after_edit_url
from faktura.invoices.forms import OwnerForm
from faktura.invoices.models import Invoice
from faktura.invoices.properties import INVOICE
from faktura.invoices.sheet import build_sheet
from faktura.listings.columns import property_rows

PROPERTY_HISTORY_LIMIT = 500


# The side panel lists the newest emails about the invoice, at most this many.
EMAILS_SHOWN = 20


@login_required
@require_GET
def download_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Download (INV-19): anyone who may read the invoice; a draft's PDF is marked DRAFT."""
    filename, pdf = invoice_pdf(invoice_or_404(pk))
    return attachment_response(pdf, filename, "application/pdf")


@login_required
@require_GET
def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_or_404(pk)
    actor = actor_for(request)
    return render(request, "invoices/record.html", _record_context(invoice, actor))


def _record_context(invoice: Invoice, actor: Actor) -> dict[str, Any]:
    owner_decision = rules.can_assign_owner(invoice, actor)
    associations = rules.can_change_associations(invoice, actor)
    return {
        "invoice": invoice,
        "sheet": build_sheet(invoice),
        "menu": panels.menu_entries(invoice, actor),
        "show_finalize": not invoice.is_finalized,
        "finalize": rules.can_finalize(invoice, actor),
        "owner_form": _owner_form(invoice) if owner_decision else None,
        "properties": property_rows(invoice),
        "payments": panels.payment_rows(invoice),
        "contacts": list(invoice.contacts_in_order()),
        "companies": list(invoice.companies.order_by("name", "id")),
        "billed_company_id": invoice.billed_company_id,
        "can_associate": associations.ok,
        "association_reason": associations.reason,
        "log": panels.invoice_log(invoice),
        "emails": list(emails_about(invoice)[:EMAILS_SHOWN]),
        "activities": list(activities_on(invoice)[:ACTIVITIES_SHOWN]),
    }


def _owner_form(invoice: Invoice, data: Any = None) -> OwnerForm:
    return OwnerForm(data, initial={"owner": invoice.owner_id})


# --- owner -----------------------------------------------------------------------------------


@login_required
@require_POST
def change_owner(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner select posts here on change (HTMX) or with its button; any status (INV-2)."""
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    form = _owner_form(invoice, request.POST)
    status, error = "", ""
    if form.is_valid():
        owner = form.cleaned_data["owner"]
        try:
            invoice = services.assign_invoice_owner(invoice, owner, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            status = f"Owner set to {owner.full_name}." if owner else "Owner removed."
    else:
        error = "Choose one of the listed users."
    if request.htmx:  # type: ignore[attr-defined]
        context = {"invoice": invoice, "owner_form": _owner_form(invoice)}
        context |= {"owner_status": status, "owner_error": error}
        return render(request, "invoices/_owner_form.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, status)
    return redirect_after_post(request, invoice.get_absolute_url())


# --- property history (INV-16) -----------------------------------------------------------------


@login_required
@require_GET
def property_history_dialog(request: HttpRequest, pk: int) -> HttpResponse:
    """Every earlier value of one property, or of all of them, with who set it and when."""
    invoice = invoice_or_404(pk)
    chosen = request.GET.get("property", "")
    error = ""
    entries: QuerySet[Entry] = Entry.objects.none()
    try:
        if chosen:
            entries = property_history(invoice, chosen)
        else:
            entries = edit_log(invoice).filter(kind=Entry.Kind.CHANGE)
    except RuleViolation as refusal:
        error = refusal.reason
    values = readable.ValueText(INVOICE, invoice.currency)
    rows = list(entries[:PROPERTY_HISTORY_LIMIT])
    values.preload(rows)
    users = values.users({e.actor_user_id for e in rows if e.actor_user_id})
    declared = {p.name: p for p in INVOICE.properties}
    history = [
        {
            "label": declared[e.property].label,
            "value": values.show(declared[e.property], e.new_value),
            "when": readable.format_when(e.at),
            "who": readable.who_did(e, users),
        }
        for e in rows
        if e.property in declared  # a property since removed from the declarations
    ]
    return render_dialog(
        request,
        f"Property history · {invoice}",
        "invoices/property_history.html",
        {
            "invoice": invoice,
            "choices": [p for p in INVOICE.properties if p.tracked],
            "chosen": chosen,
            "history": history,
            "error": error,
            "action": reverse("invoices:property_history", args=[invoice.pk]),
        },
    )


# --- associations: contacts and companies (INV-2) --------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def add_contact(request: HttpRequest, pk: int) -> HttpResponse:
    return _association(request, pk, "contact")


@login_required
@require_http_methods(["GET", "POST"])
def add_company(request: HttpRequest, pk: int) -> HttpResponse:
    return _association(request, pk, "company")


def _association(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """GET: search and pick a record to add (a dialog); POST: add the picked one."""
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    action = reverse(f"invoices:add_{kind}", args=[invoice.pk])
    if request.method == "POST":
        record_id = request.POST.get(kind, "")
        record: Contact | Company | None = None
        if record_id.isdigit() and kind == "contact":
            record = get_object_or_404(Contact, pk=record_id)
        elif record_id.isdigit():
            record = get_object_or_404(Company, pk=record_id)
        if record is None:
            messages.error(request, f"Pick a {kind} to add.")
            return redirect_after_post(request, invoice.get_absolute_url())
        return _change_association(request, pk, record, services.add_invoice_association)
    text = request.GET.get("q", "").strip()
    if kind == "contact":
        matches: QuerySet[Any] = search_contacts(
            text, exclude=invoice.contacts.values_list("pk", flat=True)
        )
    else:
        matches = search_companies(text, exclude=invoice.companies.values_list("pk", flat=True))
    context = {
        "parent": invoice,
        "kind": kind,
        "q": text,
        "matches": matches[:PICKER_RESULTS],
        "action": action,
        "back": invoice.get_absolute_url(),
    }
    if request.htmx and request.htmx.target == "association-results":  # type: ignore[attr-defined]
        return render(request, "crm/pick_record.html#results", context)
    context["refusal"] = rules.can_change_associations(invoice, actor).reason
    return render_dialog(request, f"Add a {kind}", "crm/pick_record.html", context)


# What the side panel's buttons ask of an association (DOC-2), by the URL's last part.
_CHANGES: dict[str, Callable[..., services.InvoiceEdit]] = {
    "remove": services.remove_invoice_association,
    "bill": services.bill_invoice_to,
}


@login_required
@require_POST
def change_association(
    request: HttpRequest, pk: int, record_id: int, *, model: type[Contact | Company], change: str
) -> HttpResponse:
    """Remove a contact or company, or bill it (the urls name each kind and change)."""
    record = cast(Contact | Company, get_object_or_404(model, pk=record_id))
    return _change_association(request, pk, record, _CHANGES[change])


def _change_association(
    request: HttpRequest,
    pk: int,
    record: Contact | Company,
    service: Callable[..., services.InvoiceEdit],
) -> HttpResponse:
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    try:
        edit = service(invoice, record, actor=actor)
    except RuleViolation as refusal:
        show_refusal(request, refusal)
        return redirect_after_post(request, invoice.get_absolute_url())
    done = {
        services.add_invoice_association: _("{name} added to the invoice."),
        services.remove_invoice_association: _("{name} removed from the invoice."),
        services.bill_invoice_to: _("The invoice now bills {name}."),
    }[service]
    messages.success(request, done.format(name=_name(record)))
    return redirect_after_post(request, after_edit_url(edit))


def _name(record: Contact | Company) -> str:
    if isinstance(record, Contact):
        return record.full_name or record.email or str(record)
    return record.name
