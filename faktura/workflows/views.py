"""The Workflows pages (WF-1, WF-3): the list, create and import, the actions editor with its
triggers, review and publish, turn on and off, and export as JSON."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from faktura.core.errors import RuleViolation
from faktura.core.text_input import read_json
from faktura.core.web import (
    actor_for,
    attachment_response,
    forbid_unless,
    redirect_after_post,
    render_dialog,
)
from faktura.listings import editor
from faktura.listings import filters as flt
from faktura.listings.defaults import defaults_for
from faktura.workflows import definition as wf
from faktura.workflows import editing, outline, rules, services, transfer
from faktura.workflows.config_fields import FieldContext
from faktura.workflows.events import trigger_events
from faktura.workflows.models import EnrollmentStatus, Workflow
from faktura.workflows.page import header_context, workflow_for


def _error_status(request: HttpRequest, error: str) -> int:
    # HTMX swaps only 2xx answers: a refused dialog form comes back as 200 to show its reason.
    return 400 if error and not request.htmx else 200  # type: ignore[attr-defined]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    forbid_unless(rules.can_manage_workflows(actor_for(request)))
    active = Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ACTIVE))
    workflows = Workflow.objects.select_related("published").annotate(enrolled_now=active)
    labels = {t: wf.object_type_named(t).label for t in wf.WORKFLOW_TYPES}
    return render(
        request,
        "workflows/index.html",
        {"workflows": [(w, labels.get(w.object_type, w.object_type)) for w in workflows]},
    )


def _type_choices() -> list[tuple[str, str]]:
    return [(t, wf.object_type_named(t).label) for t in wf.WORKFLOW_TYPES]


@login_required
@require_http_methods(["GET", "POST"])
def new_workflow(request: HttpRequest) -> HttpResponse:
    """Create a workflow: its name and the object type it enrolls (WF-1)."""
    actor = actor_for(request)
    forbid_unless(rules.can_manage_workflows(actor))
    error = ""
    if request.method == "POST":
        try:
            made = services.create_workflow(
                actor=actor,
                name=request.POST.get("name", ""),
                object_type=request.POST.get("object_type", ""),
            )
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            return redirect_after_post(request, made.get_absolute_url())
    return render_dialog(
        request,
        "Create workflow",
        "workflows/new_dialog.html",
        {"types": _type_choices(), "error": error, "form": request.POST},
        status=_error_status(request, error),
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_workflow(request: HttpRequest) -> HttpResponse:
    """A workflow from an exported JSON file (or pasted JSON), as a new draft."""
    actor = actor_for(request)
    forbid_unless(rules.can_manage_workflows(actor))
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload and (upload.size or 0) > transfer.MAX_DOCUMENT_BYTES:
                raise RuleViolation(
                    gettext(
                        "The file is %(size)s KB; a workflow document is at most %(most)s KB. "
                        "Choose a file exported from Faktura."
                    )
                    % {
                        "size": f"{(upload.size or 0) // 1024:,}",
                        "most": f"{transfer.MAX_DOCUMENT_BYTES // 1024:,}",
                    }
                )
            text = (
                upload.read().decode("utf-8", "replace") if upload else request.POST.get("json", "")
            )
            document = read_json(text, "The workflow document")
            made = transfer.import_workflow(
                document, actor=actor, publish=request.POST.get("publish") == "1"
            )
        except RuleViolation as refusal:
            error = refusal.reason
            if refusal.code == "invalid_json":
                error += " Choose a file exported from Faktura."
        else:
            messages.success(request, f"Imported “{made.name}”.")
            return redirect_after_post(request, made.get_absolute_url())
    return render_dialog(
        request,
        "Import a workflow",
        "workflows/import_dialog.html",
        {"error": error},
        status=_error_status(request, error),
    )


@login_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The workflow's draft as a JSON file, secrets left out (docs/workflows.md)."""
    workflow = workflow_for(request, pk)
    document = transfer.export_workflow(workflow)
    name = slugify(workflow.name) or f"workflow-{workflow.pk}"
    return attachment_response(
        json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n",
        f"{name}.json",
        "application/json",
    )


# --- the actions editor ----------------------------------------------------------------------


@login_required
@require_GET
def workflow_page(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = workflow_for(request, pk)
    return render(request, "workflows/workflow.html", _editor_context(workflow))


def _editor_context(workflow: Workflow, **trigger_form: Any) -> dict[str, Any]:
    kind = wf.object_type_named(workflow.object_type)
    try:
        draft = wf.parse(workflow.draft)
    except wf.DefinitionError:
        draft = wf.parse(services.EMPTY_DEFINITION)
    filters = trigger_form.get("filters") or flt.from_json(kind, draft.filters)
    events = trigger_form.get("events", [dict(e) for e in draft.events])
    contexts: dict[str, FieldContext] = {}
    return {
        **header_context(workflow, "actions"),
        "path": defaults_for(kind).path,
        "criteria": outline.criteria_in_words(kind, draft.filters),
        "events_in_words": [outline.event_in_words(kind, e) for e in draft.events],
        # No filters yet: an empty group with "Add filter", as on the index pages, so a trigger
        # of events only saves without removing a half-made row first.
        "filter_groups": [(rows[0].group, rows) for rows in editor.rows_for(kind, filters)]
        or [(editor.new_id(), [])],
        "event_rows": [_event_row(kind, e) for e in events],
        "re_enroll": trigger_form.get("re_enroll", draft.re_enroll),
        "re_enroll_properties": trigger_form.get(
            "re_enroll_properties", list(draft.re_enroll_properties)
        ),
        "properties": _watchable(kind),
        "re_enroll_labels": [
            kind._by_name[n].label for n in draft.re_enroll_properties if n in kind._by_name
        ],
        "trigger_error": trigger_form.get("error", ""),
        "cards": outline.cards(kind, draft.steps, contexts),
        # After the cards: the problems reuse the choices the cards asked for (QuickBooks…).
        "problems": wf.problems(workflow.object_type, workflow.draft, contexts),
    }


def _watchable(kind: Any) -> list[tuple[str, str]]:
    """Properties whose changes history records, so "property changed" can see them."""
    return [(p.name, p.label) for p in kind.properties if p.tracked]


def _event_row(kind: Any, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": secrets.token_hex(3),
        "event": event.get("event", ""),
        "property": event.get("property", ""),
        "to": event.get("to", ""),
        "from": event.get("from", ""),
        "choices": [
            (t.name, t.label, t.needs_property)
            for t in trigger_events
            if t.applies_to(kind.singular)
        ],
    }


@login_required
@require_GET
def event_row(request: HttpRequest, pk: int) -> HttpResponse:
    """A new, empty event row of the triggers form."""
    workflow = workflow_for(request, pk)
    kind = wf.object_type_named(workflow.object_type)
    return render(
        request,
        "workflows/workflow.html#event_row",
        {"event": _event_row(kind, {}), "properties": _watchable(kind)},
    )


def _events_from(data: Any) -> list[dict[str, Any]]:
    events = []
    for key in data.getlist("ev"):
        name = data.get(f"ev-{key}-event", "")
        if not name:
            continue
        event = {"event": name}
        needs = name in trigger_events and trigger_events.get(name).needs_property
        for part in ("property", "from", "to") if needs else ():
            if value := data.get(f"ev-{key}-{part}", "").strip():
                event[part] = value
        events.append(event)
    return events


@login_required
@require_http_methods(["POST"])
def edit_triggers(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the enrollment triggers and re-enrollment (WF-2) into the draft."""
    actor = actor_for(request)
    workflow = workflow_for(request, pk)
    kind = wf.object_type_named(workflow.object_type)
    filters = flt.from_rows(kind, request.POST)
    events = _events_from(request.POST)
    re_enroll = request.POST.get("re_enroll") == "1"
    chosen = request.POST.getlist("re_enroll_properties")
    try:
        editing.set_triggers(
            workflow,
            actor=actor,
            filters=filters,
            events=events,
            re_enroll=re_enroll,
            re_enroll_properties=chosen if re_enroll else [],
        )
    except RuleViolation as refusal:
        context = _editor_context(
            workflow,
            filters=filters,
            events=events,
            re_enroll=re_enroll,
            re_enroll_properties=chosen,
            error=refusal.reason,
        )
        return render(request, "workflows/workflow.html", context, status=400)
    messages.success(request, "Triggers saved to the draft. Review and publish to use them.")
    return redirect_after_post(request, workflow.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    workflow = workflow_for(request, pk)
    error = ""
    if request.method == "POST":
        try:
            services.update_workflow(workflow, actor=actor, name=request.POST.get("name", ""))
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            return redirect_after_post(request, workflow.get_absolute_url())
    return render_dialog(
        request,
        "Rename workflow",
        "workflows/rename_dialog.html",
        {"workflow": workflow, "error": error, "name": request.POST.get("name", workflow.name)},
        status=_error_status(request, error),
    )


# --- review and publish, on and off ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Review what changed against the published version, then publish (WF-3)."""
    actor = actor_for(request)
    workflow = workflow_for(request, pk)
    error = ""
    if request.method == "POST":
        try:
            version = services.publish_workflow(workflow, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(
                request,
                f"Version {version.number} is published. "
                + (
                    "New enrollments run it."
                    if workflow.enabled
                    else "Turn the workflow on to start enrolling records."
                ),
            )
            return redirect_after_post(request, workflow.get_absolute_url())
    return render_dialog(
        request,
        "Review and publish",
        "workflows/publish_dialog.html",
        {
            "workflow": workflow,
            "changes": services.changes_to_publish(workflow),
            "problems": wf.problems(workflow.object_type, workflow.draft),
            "error": error,
        },
        status=_error_status(request, error),
    )


@login_required
@require_http_methods(["GET", "POST"])
def turn_on(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn on, choosing whether records that meet the criteria now are enrolled too (WF-2)."""
    actor = actor_for(request)
    workflow = workflow_for(request, pk)
    error = ""
    if request.method == "POST":
        try:
            enrolled = services.turn_on_workflow(
                workflow, actor=actor, enroll_existing=request.POST.get("existing") == "1"
            )
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(
                request,
                f"“{workflow.name}” is on."
                + (
                    " "
                    + ngettext(
                        "%(count)s existing record was enrolled.",
                        "%(count)s existing records were enrolled.",
                        enrolled,
                    )
                    % {"count": enrolled}
                    if enrolled
                    else ""
                ),
            )
            return redirect_after_post(request, workflow.get_absolute_url())
    published = wf.parse(workflow.published.definition) if workflow.published else None
    return render_dialog(
        request,
        f"Turn on “{workflow.name}”",
        "workflows/turn_on_dialog.html",
        {
            "workflow": workflow,
            "has_criteria": bool(published and published.filters),
            "matching": services.existing_matches(workflow),
            "kind": wf.object_type_named(workflow.object_type),
            "decision": rules.can_turn_on(workflow),
            "error": error,
        },
        status=_error_status(request, error),
    )


@login_required
@require_http_methods(["GET", "POST"])
def turn_off(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    workflow = workflow_for(request, pk)
    error = ""
    if request.method == "POST":
        try:
            services.turn_off_workflow(workflow, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(
                request,
                f"“{workflow.name}” is off. Records already enrolled stay; their remaining "
                "actions are skipped.",
            )
            return redirect_after_post(request, reverse("workflows:workflow", args=[pk]))
    return render_dialog(
        request,
        f"Turn off “{workflow.name}”",
        "workflows/turn_off_dialog.html",
        {"workflow": workflow, "decision": rules.can_turn_off(workflow), "error": error},
        status=_error_status(request, error),
    )
