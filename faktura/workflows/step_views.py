"""The editor's side panel: pick a step type at a "+" button, configure the step, save it into
the draft, or remove it. Saving reloads the workflow page; a refusal redraws the panel with
its reason."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faktura.core.errors import RuleViolation
from faktura.core.web import actor_for, redirect_after_post
from faktura.listings.defaults import defaults_for
from faktura.workflows import definition as wf
from faktura.workflows import drafts, editing, step_forms
from faktura.workflows.models import Workflow
from faktura.workflows.page import workflow_for
from faktura.workflows.registry import action_types


def _panel(
    request: HttpRequest,
    workflow: Workflow,
    step_type: str,
    step: dict[str, Any],
    *,
    action_url: str,
    error: str = "",
    step_id: str = "",
    redrawn: bool = False,
) -> HttpResponse:
    kind = wf.object_type_named(workflow.object_type)
    context: dict[str, Any] = {
        "workflow": workflow,
        "step_type": step_type,
        "type_label": step_forms.type_label(step_type),
        "step_id": step_id,
        "action_url": action_url,
        "error": error,
        "path": defaults_for(kind).path,
    }
    if step_type == wf.DELAY:
        context["delay"] = step_forms.delay_values(step.get("config") or {})
        context["date_properties"] = step_forms.date_properties(kind)
        context["weekdays"] = list(enumerate(wf.WEEKDAYS))
    elif step_type == wf.BRANCH:
        branches = step.get("branches") or [{"label": "Branch 1", "filters": []}]
        context["branches"] = step_forms.branch_forms(kind, branches)
    else:
        action = action_types.get(step_type)
        context["description"] = action.description
        context["unavailable"] = action.unavailable()
        # An unavailable action's computed choices may need what is missing: not asked for.
        context["inputs"] = step_forms.action_inputs(
            kind,
            action,
            step.get("config") or {},
            live=not context["unavailable"],
            redrawn=redrawn,
        )
    # HTMX swaps only 2xx answers, so a refusal inside the panel comes back as 200.
    status = 400 if error and not request.htmx else 200  # type: ignore[attr-defined]
    return render(request, "workflows/step_panel.html", context, status=status)


def _back_to_editor(request: HttpRequest, workflow: Workflow) -> HttpResponse:
    """The editor drawn again with the change. From the panel, HTMX reloads the page itself:
    a redirect to the same page would only move to an anchor, without reloading."""
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect_after_post(request, workflow.get_absolute_url())


def _redraw(
    request: HttpRequest, workflow: Workflow, step_type: str, before: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The step as the form has it, to draw again without saving, when the form asked for it: a
    branch form adds or removes a branch; an action's field changed that others' choices depend
    on. None for a real save."""
    if "redraw" not in request.POST or step_type == wf.DELAY:
        return None
    kind = wf.object_type_named(workflow.object_type)
    if step_type != wf.BRANCH:
        return step_forms.step_from_form(kind, step_type, request.POST, before)
    branches = step_forms.branches_from_form(kind, request.POST)
    asked = request.POST["redraw"]
    if asked == "add" and len(branches) < wf.MAX_BRANCHES:
        branches.append({"label": f"Branch {len(branches) + 1}", "filters": [], "origin": ""})
    elif (
        asked.startswith("remove:")
        and asked[7:].isdigit()
        # A forged or stale index (the page was changed elsewhere) removes nothing.
        and int(asked[7:]) < len(branches)
        and len(branches) > 1
    ):
        del branches[int(asked[7:])]
    return {"type": wf.BRANCH, "branches": branches}


def _as_sent(kind: Any, step: dict[str, Any], data: Any) -> dict[str, Any]:
    # A branch form drawn again keeps where each branch came from, so its steps stay with it.
    if step["type"] == wf.BRANCH:
        return {**step, "branches": step_forms.branches_from_form(kind, data)}
    return step


@login_required
@require_http_methods(["GET", "POST"])
def new_step(request: HttpRequest, pk: int) -> HttpResponse:
    """At a "+" button (`where`, `index`): first the type, then its configuration."""
    workflow = workflow_for(request, pk)
    # The place and type ride in the query string, for the type picker and the form alike.
    data = request.GET
    where, index, step_type = data.get("where", ""), data.get("index", "0"), data.get("type", "")
    kind = wf.object_type_named(workflow.object_type)
    if step_type not in (wf.DELAY, wf.BRANCH) and step_type not in action_types:
        return render(
            request,
            "workflows/step_types.html",
            {
                "workflow": workflow,
                "where": where,
                "index": index,
                "categories": step_forms.step_types_for(kind),
            },
        )
    action_url = f"{request.path}?where={where}&index={index}&type={step_type}"
    if request.method == "GET":
        return _panel(request, workflow, step_type, {}, action_url=action_url)
    if (drawn := _redraw(request, workflow, step_type)) is not None:
        return _panel(request, workflow, step_type, drawn, action_url=action_url, redrawn=True)
    step = step_forms.step_from_form(kind, step_type, request.POST)
    try:
        workflow, _ = editing.add_step(
            workflow,
            actor=actor_for(request),
            where=where,
            index=int(index) if index.isdigit() else 0,
            step=step,
        )
    except RuleViolation as refusal:
        return _panel(request, workflow, step_type, _as_sent(kind, step, request.POST),
                      action_url=action_url, error=refusal.reason)  # fmt: skip
    messages.success(request, f"Added “{step_forms.type_label(step_type)}” to the draft.")
    return _back_to_editor(request, workflow)


@login_required
@require_http_methods(["GET", "POST"])
def edit_step(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    workflow = workflow_for(request, pk)
    kind = wf.object_type_named(workflow.object_type)
    try:
        before = drafts.find_step(workflow.draft, step_id)
    except RuleViolation as refusal:
        messages.error(request, refusal.reason)
        return redirect_after_post(request, workflow.get_absolute_url())
    step_type = str(before.get("type"))
    if request.method == "GET":
        return _panel(request, workflow, step_type, before, action_url=request.path,
                      step_id=step_id)  # fmt: skip
    if (drawn := _redraw(request, workflow, step_type, before)) is not None:
        return _panel(request, workflow, step_type, drawn, action_url=request.path,
                      step_id=step_id, redrawn=True)  # fmt: skip
    step = step_forms.step_from_form(kind, step_type, request.POST, before)
    try:
        editing.change_step(workflow, actor=actor_for(request), step_id=step_id, step=step)
    except RuleViolation as refusal:
        return _panel(request, workflow, step_type, _as_sent(kind, step, request.POST),
                      action_url=request.path, step_id=step_id, error=refusal.reason)  # fmt: skip
    messages.success(request, f"Saved “{step_forms.type_label(step_type)}” in the draft.")
    return _back_to_editor(request, workflow)


@login_required
@require_POST
def remove_step(request: HttpRequest, pk: int, step_id: str) -> HttpResponse:
    workflow = workflow_for(request, pk)
    try:
        editing.remove_step(workflow, actor=actor_for(request), step_id=step_id)
    except RuleViolation as refusal:
        messages.error(request, refusal.reason)
    else:
        messages.success(request, "The step is removed from the draft.")
    return _back_to_editor(request, workflow)


@login_required
@require_GET
def branch_group(request: HttpRequest, pk: int) -> HttpResponse:
    """A new OR group of filter rows for branch `branch` of the form."""
    workflow = workflow_for(request, pk)
    kind = wf.object_type_named(workflow.object_type)
    number = request.GET.get("branch", "0")
    group_id, rows = step_forms.branch_group(kind, int(number) if number.isdigit() else 0)
    return render(
        request,
        "listings/index.html#filter_group",
        {"group": rows, "group_id": group_id, "path": defaults_for(kind).path},
    )
