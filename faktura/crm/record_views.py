"""What the create, edit and association views of every CRM record share (contacts, companies,
products, deals, quotes): the permission check, saving a form through a service, and the
dialog that picks a contact or company to associate."""

from collections.abc import Callable
from typing import Any, Literal

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from faktura.accounts.permissions import can_edit_records
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.properties import object_type_for
from faktura.core.property_forms import PropertyForm
from faktura.core.web import actor_for, forbid_unless, redirect_after_post, render_dialog
from faktura.crm.models import Company, Contact
from faktura.crm.panels import record_log
from faktura.crm.queries import PICKER_RESULTS, search_companies, search_contacts
from faktura.emails.composing import COMPOSABLE
from faktura.emails.queries import emails_about
from faktura.listings.columns import property_rows

Kind = Literal["contact", "company"]


def editing_actor(request: HttpRequest) -> Actor:
    """The acting user, or 403 with the reason for view-only users: checked before anything."""
    actor = actor_for(request)
    forbid_unless(can_edit_records(actor))
    return actor


def record_context(
    request: HttpRequest, record: models.Model, *, index: tuple[str, str], edit_url: str
) -> dict[str, Any]:
    """What every record page shows: where it sits, its properties, its edit log, and whether
    the user may change it (view-only users see no edit or association controls)."""
    return {
        "record": record,
        "index_label": index[0],
        "index_url": index[1],
        "edit_url": edit_url,
        "properties": property_rows(record),
        "log": record_log(record),
        "can_edit": bool(can_edit_records(actor_for(request))),
        "emails": list(emails_about(record)[:EMAILS_SHOWN]),
        "compose_url": _compose_url(record),
    }


# A record page lists the newest emails about it, at most this many.
EMAILS_SHOWN = 20


def _compose_url(record: models.Model) -> str:
    """Where a one-to-one email from this record is written, for records that have one."""
    object_type = object_type_for(record).name
    if object_type not in COMPOSABLE:
        return ""
    return reverse("emails:compose", args=[object_type, record.pk])


def property_form_page(
    request: HttpRequest,
    form: PropertyForm,
    save: Callable[[dict[str, Any]], models.Model],
    *,
    template: str,
    context: dict[str, Any],
    saved: str,
) -> HttpResponse:
    """Show the form; on a valid POST save it through the service, and show a refusal of the
    service beside the form (never a server error)."""
    if request.method == "POST" and form.is_valid():
        try:
            record = save(form.values())
        except RuleViolation as refusal:
            form.add_error(None, refusal.reason)
        else:
            messages.success(request, saved.format(record=record))
            return redirect(record.get_absolute_url())  # type: ignore[attr-defined]
    return render(request, template, {**context, "form": form})


def association_dialog(
    request: HttpRequest,
    *,
    parent: models.Model,
    kind: Kind,
    present: models.QuerySet[Any],
    add: Callable[[Contact | Company], None],
    action: str,
) -> HttpResponse:
    """GET: search and pick a contact or company (a dialog); POST: add the picked one.

    `present` holds the records already associated; they are not offered again.
    """
    back = parent.get_absolute_url()  # type: ignore[attr-defined]
    if request.method == "POST":
        record_id = request.POST.get(kind, "")
        if not record_id.isdigit():
            messages.error(request, f"Pick a {kind} to add.")
            return redirect_after_post(request, back)
        record: Contact | Company = (
            get_object_or_404(Contact, pk=record_id)
            if kind == "contact"
            else get_object_or_404(Company, pk=record_id)
        )
        try:
            add(record)
        except RuleViolation as refusal:
            messages.error(request, refusal.reason)
        else:
            messages.success(request, f"{record} added to {parent}.")
        return redirect_after_post(request, back)
    text = request.GET.get("q", "").strip()
    exclude = present.values_list("pk", flat=True)
    search = search_contacts if kind == "contact" else search_companies
    context = {
        "parent": parent,
        "kind": kind,
        "q": text,
        "matches": search(text, exclude=exclude)[:PICKER_RESULTS],
        "action": action,
        "back": back,
    }
    if getattr(request, "htmx", None) and request.htmx.target == "association-results":  # type: ignore[attr-defined]
        return render(request, "crm/pick_record.html#results", context)
    return render_dialog(request, f"Add a {kind} to {parent}", "crm/pick_record.html", context)


def remove_association(
    request: HttpRequest, parent: models.Model, record: models.Model, remove: Callable[[], None]
) -> HttpResponse:
    try:
        remove()
    except RuleViolation as refusal:
        messages.error(request, refusal.reason)
    else:
        messages.success(request, f"{record} removed from {parent}.")
    return redirect_after_post(request, parent.get_absolute_url())  # type: ignore[attr-defined]


def options_page(
    request: HttpRequest, records: models.QuerySet[Any], empty_label: str
) -> HttpResponse:
    """The <option>s of a select, narrowed by a search box (HTMX swaps them in)."""
    return render(
        request,
        "crm/options.html",
        {"records": records, "q": request.GET.get("q", ""), "empty_label": empty_label},
    )
