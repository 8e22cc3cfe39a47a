"""What the create, edit, archive and association views of every CRM record share (contacts,
companies, products, deals, quotes): the permission check, saving a form through a service,
archiving and restoring, and the dialog that picks a contact or company to associate."""

from collections.abc import Callable
from typing import Any, Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from faktura.accounts.permissions import can_edit_records
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.properties import object_type_for
from faktura.core.property_forms import PropertyForm
from faktura.core.web import (
    actor_for,
    forbid_unless,
    is_htmx,
    redirect_after_post,
    render_dialog,
    show_refusal,
)
from faktura.crm.activities import ACTIVITIES_SHOWN, activities_on
from faktura.crm.models import Company, Contact
from faktura.crm.panels import record_log
from faktura.crm.queries import PICKER_RESULTS, search_companies, search_contacts
from faktura.emails.composing import COMPOSABLE
from faktura.emails.queries import emails_about
from faktura.history.readable import archive_note
from faktura.history.records import can_archive
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
    the user may change it (view-only users see no edit or association controls). An archived
    record's page still opens, read-only, with who archived it and a Restore button."""
    may_edit = bool(can_edit_records(actor_for(request)))
    archived = archive_note(record)
    object_type = object_type_for(record)
    return {
        "record": record,
        "index_label": index[0],
        "index_url": index[1],
        "edit_url": edit_url,
        "properties": property_rows(record),
        "log": record_log(record),
        "can_edit": may_edit and archived is None,
        "archived": archived,
        "can_archive": may_edit and object_type.archivable,
        "archive_url": _archive_url(record, "archive") if object_type.archivable else "",
        "restore_url": _archive_url(record, "restore") if object_type.archivable else "",
        "emails": list(emails_about(record)[:EMAILS_SHOWN]),
        "compose_url": _compose_url(record),
        "activities": list(activities_on(record)[:ACTIVITIES_SHOWN]),
    }


# A record page lists the newest emails about it, at most this many.
EMAILS_SHOWN = 20


def _archive_url(record: models.Model, action: str) -> str:
    # Every archivable type's app names them "<model>_archive" and "<model>_restore".
    meta = record._meta
    return reverse(f"{meta.app_label}:{meta.model_name}_{action}", args=[record.pk])


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


ArchiveService = Callable[..., models.Model]


@login_required
@require_http_methods(["GET", "POST"])
def archive_record(
    request: HttpRequest, pk: int, model: type[models.Model], archive: ArchiveService
) -> HttpResponse:
    """GET: a confirmation that says what archiving does and that it can be undone; POST:
    archive through the service and show the record's page, now with its Restore button."""
    actor = editing_actor(request)
    record = get_object_or_404(model, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            archive(record, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(
                request, f"{record} is archived. Restore it here whenever you need it again."
            )
            return redirect_after_post(request, record.get_absolute_url())  # type: ignore[attr-defined]
    object_type = object_type_for(record)
    decision = can_archive(record)
    return render_dialog(
        request,
        f"Archive {object_type.singular} {record}",
        "crm/confirm_archive.html",
        {
            "record": record,
            "kind": object_type.singular,
            "index_label": object_type.label.lower(),
            "error": error or decision.reason,
            "allowed": decision.ok,
            "action": _archive_url(record, "archive"),
        },
        # HTMX swaps only successful answers: a refusal is shown again inside the dialog.
        status=400 if error and not is_htmx(request) else 200,
    )


@login_required
@require_POST
def restore_record(
    request: HttpRequest, pk: int, model: type[models.Model], restore: ArchiveService
) -> HttpResponse:
    """Restore, from the archived record's banner: no confirmation, as nothing is lost."""
    actor = editing_actor(request)
    record = get_object_or_404(model, pk=pk)
    try:
        restore(record, actor=actor)
    except RuleViolation as refusal:
        show_refusal(request, refusal)
    else:
        messages.success(request, f"{record} is restored and shows in lists and pickers again.")
    return redirect(record.get_absolute_url())  # type: ignore[attr-defined]


def archiving_urls(
    archivable: dict[type[models.Model], tuple[str, ArchiveService, ArchiveService]],
) -> list[URLPattern]:
    """`<plural>/<pk>/archive/` and `/restore/` for each model, named `<model>_archive` and
    `<model>_restore`, given the URL plural and the services that archive and restore it."""
    urls = []
    for model, (plural, archive, restore) in archivable.items():
        name = model._meta.model_name
        urls += [
            path(
                f"{plural}/<int:pk>/archive/",
                archive_record,
                {"model": model, "archive": archive},
                name=f"{name}_archive",
            ),
            path(
                f"{plural}/<int:pk>/restore/",
                restore_record,
                {"model": model, "restore": restore},
                name=f"{name}_restore",
            ),
        ]
    return urls


def options_page(
    request: HttpRequest, records: models.QuerySet[Any], empty_label: str
) -> HttpResponse:
    """The <option>s of a select, narrowed by a search box (HTMX swaps them in)."""
    return render(
        request,
        "crm/options.html",
        {"records": records, "q": request.GET.get("q", ""), "empty_label": empty_label},
    )
