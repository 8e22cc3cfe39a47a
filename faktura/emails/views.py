"""The one-to-one composer on a record's page (INV-27, INV-29, INV-30)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from faktura.accounts.permissions import can_edit_records, can_manage_settings
from faktura.core.errors import RuleViolation
from faktura.core.properties import object_types, unarchived
from faktura.core.web import actor_for, forbid_unless, redirect_after_post, render_dialog
from faktura.emails import composing, conversations
from faktura.emails import services as emails_services
from faktura.emails.addresses import split_addresses
from faktura.emails.composing import COMPOSABLE
from faktura.emails.forms import ComposeForm, InboxForm
from faktura.emails.inserts import insert_sources
from faktura.emails.models import ConnectedInbox
from faktura.listings.quick_search import is_record_id


def _record(object_type: str, pk: int) -> models.Model:
    if object_type not in COMPOSABLE:
        raise Http404("One-to-one email is written from a contact, company or deal.")
    model = object_types.get(object_type).model
    record = model._default_manager.filter(pk=pk).first()
    if record is None:
        raise Http404("This record does not exist.")
    return record


def recipients(record: models.Model) -> list[str]:
    """Who a message from this record goes to first: the contact, or the record's contacts that
    are not archived."""
    if email := getattr(record, "email", ""):
        return [email]
    contacts: Any = getattr(record, "contacts", None)
    if contacts is None:
        return []
    return [c.email for c in unarchived(contacts.all()) if c.email]


@login_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest, object_type: str, pk: int) -> HttpResponse:
    actor = actor_for(request)
    forbid_unless(can_edit_records(actor))
    record = _record(object_type, pk)
    choices = composing.from_addresses(actor)
    initial = {
        "to": ", ".join(recipients(record)),
        "from_address": choices[0] if choices else "",
        "body": request.GET.get("body", ""),
    }
    form = ComposeForm(request.POST or None, initial=initial, from_choices=choices)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            email = composing.send_one_to_one(
                record,
                actor=actor,
                to=split_addresses(data["to"]),
                cc=split_addresses(data["cc"]),
                from_address=data["from_address"],
                subject=data["subject"],
                body=data["body"],
            )
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(request, f"Your email to {', '.join(email.to)} is on its way.")
            return redirect_after_post(request, record.get_absolute_url())  # type: ignore[attr-defined]
    elif request.method == "POST":
        error = "Please correct the fields marked below."
    return render_dialog(
        request,
        f"Email from {record}",
        "emails/compose.html",
        {
            "record": record,
            "form": form,
            "error": error,
            "no_sender": not choices,
            "inserts": list(insert_sources),
            "action": reverse("emails:compose", args=[object_type, pk]),
        },
        status=400 if error and not request.htmx else 200,  # type: ignore[attr-defined]
    )


@login_required
@require_http_methods(["GET", "POST"])
def inboxes(request: HttpRequest) -> HttpResponse:
    """Settings → Connected inboxes: the addresses users may send from, and who may."""
    actor = actor_for(request)
    forbid_unless(can_manage_settings(actor))
    editing = None
    if (pk := request.GET.get("edit") or request.POST.get("inbox", "")).isdigit():
        editing = ConnectedInbox.objects.filter(pk=pk).first()
    initial = (
        {
            "address": editing.address,
            "name": editing.name,
            "shared": editing.shared,
            "users": editing.users.all(),
        }
        if editing
        else None
    )
    form = InboxForm(request.POST or None, initial=initial)
    if request.method == "POST" and "remove" in request.POST and editing is not None:
        emails_services.remove_inbox(editing, actor=actor)
        messages.success(request, f"{editing.address} is no longer connected.")
        return redirect("emails:inboxes")
    if request.method == "POST" and form.is_valid():
        try:
            inbox = emails_services.save_inbox(actor=actor, inbox=editing, **form.cleaned_data)
        except RuleViolation as refusal:
            form.add_error(None, refusal.reason)
        else:
            messages.success(request, f"{inbox.address} saved.")
            return redirect("emails:inboxes")
    return render(
        request,
        "emails/inboxes.html",
        {
            "inboxes": ConnectedInbox.objects.prefetch_related("users"),
            "form": form,
            "editing": editing,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversations_page(request: HttpRequest) -> HttpResponse:
    """The conversations inbox: threads per connected inbox; replies added by hand or imported."""
    actor = actor_for(request)
    inboxes = list(conversations.visible_inboxes(actor))
    chosen = next((i for i in inboxes if str(i.pk) == request.GET.get("inbox")), None)
    chosen = chosen or (inboxes[0] if inboxes else None)
    if request.method == "POST":
        forbid_unless(can_edit_records(actor))
        try:
            if upload := request.FILES.get("message"):
                reply = conversations.import_reply(upload.read(), actor=actor)
            else:
                email_id = request.POST.get("email", "")
                reply = conversations.add_reply(
                    # Not an id (a forged form): no conversation, refused as one out of view.
                    int(email_id) if is_record_id(email_id) else 0,
                    actor=actor,
                    from_address=request.POST.get("from_address", ""),
                    body=request.POST.get("body", ""),
                    received_at=timezone.now(),
                )
        except RuleViolation as refusal:
            messages.error(request, refusal.reason)
        else:
            messages.success(request, f"Reply from {reply.from_address} added.")
        return redirect(request.get_full_path())
    return render(
        request,
        "emails/conversations.html",
        {
            "inboxes": inboxes,
            "chosen": chosen,
            "threads": conversations.threads(chosen)[:THREADS_SHOWN] if chosen else [],
            "can_edit": bool(can_edit_records(actor)),
        },
    )


# The conversations page lists the newest threads of an inbox, at most this many.
THREADS_SHOWN = 100
