"""The workflow page's "Enrollment history" and "Action logs" tabs, and Retry on a failed action
(WF-4). Filters and pages are GET parameters, so a filtered log can be bookmarked."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from faktura.core.errors import RuleViolation
from faktura.core.web import actor_for, forbid_unless, show_refusal
from faktura.workflows import logs, rules, services
from faktura.workflows.definition import object_type_named
from faktura.workflows.models import EnrollmentStatus, StepRun, Workflow
from faktura.workflows.page import header_context, workflow_for


@login_required
@require_GET
def enrollments(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = workflow_for(request, pk)
    filters, position = _read(request)
    page = logs.enrollment_history(workflow, filters, position)
    return render(
        request,
        "workflows/enrollments.html",
        {
            **header_context(workflow, "enrollments"),
            **_paging(workflow, "workflows:enrollments", filters, page),
            "statuses": EnrollmentStatus.choices,
        },
    )


@login_required
@require_GET
def action_logs(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = workflow_for(request, pk)
    filters, position = _read(request)
    page = logs.action_log(workflow, filters, position)
    return render(
        request,
        "workflows/action_logs.html",
        {
            **header_context(workflow, "logs"),
            **_paging(workflow, "workflows:logs", filters, page),
        },
    )


@login_required
@require_POST
def retry(request: HttpRequest, step_run_id: int) -> HttpResponse:
    """Run a failed action again, then back to the log as it was filtered."""
    actor = actor_for(request)
    forbid_unless(rules.can_manage_workflows(actor))
    step_run = get_object_or_404(
        StepRun.objects.select_related("enrollment__workflow"), pk=step_run_id
    )
    workflow = step_run.enrollment.workflow
    filters, _ = logs.LogFilters.from_query(request.POST)
    try:
        services.retry_step_run(step_run, actor=actor)
    except RuleViolation as refusal:
        show_refusal(request, refusal)
    else:
        record = logs.record_links(
            object_type_named(workflow.object_type), [step_run.enrollment.object_id]
        )[step_run.enrollment.object_id]
        messages.success(
            request,
            f"The action will run again for {record.text} in a moment; "
            "the steps after it follow in order.",
        )
    return HttpResponseRedirect(_url(workflow, "workflows:logs", filters.query()))


def _read(request: HttpRequest) -> tuple[logs.LogFilters, logs.Position]:
    """The filters and the page position from the URL; what cannot be used is said, not fatal."""
    filters, problems = logs.LogFilters.from_query(request.GET)
    try:
        position = logs.Position.from_query(request.GET)
    except logs.PageLinkError as error:
        problems.append(str(error))
        position = logs.Position()
    for problem in problems:
        messages.warning(request, problem)
    return filters, position


def _paging(
    workflow: Workflow, url_name: str, filters: logs.LogFilters, page: logs.Page[Any]
) -> dict[str, Any]:
    query = filters.query()
    newer = {**query, "newer_than": str(page.newer_than)} if page.newer_than else None
    older = {**query, "older_than": str(page.older_than)} if page.older_than else None
    return {
        "rows": page.rows,
        "filters": filters,
        "clear_url": _url(workflow, url_name, {}),
        "newer_url": _url(workflow, url_name, newer) if newer is not None else "",
        "older_url": _url(workflow, url_name, older) if older is not None else "",
        "object_type_label": object_type_named(workflow.object_type).singular,
    }


def _url(workflow: Workflow, url_name: str, query: dict[str, str]) -> str:
    base = reverse(url_name, args=[workflow.pk])
    return f"{base}?{urlencode(query)}" if query else base
