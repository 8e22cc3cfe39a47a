"""What every page of one workflow shares: the permission-checked getter and the header with
its tabs (actions, enrollment history, action logs)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from faktura.core.web import actor_for, forbid_unless
from faktura.workflows import rules
from faktura.workflows.definition import object_type_named
from faktura.workflows.models import Enrollment, EnrollmentStatus, StepRun, StepStatus, Workflow

TABS = (
    ("actions", "Actions", "workflows:workflow"),
    ("enrollments", "Enrollment history", "workflows:enrollments"),
    ("logs", "Action logs", "workflows:logs"),
)


def workflow_for(request: HttpRequest, pk: int) -> Workflow:
    """The workflow, if the signed-in user may manage workflows (super admins)."""
    forbid_unless(rules.can_manage_workflows(actor_for(request)))
    workflows = Workflow.objects.select_related("published")
    return get_object_or_404(workflows, pk=pk)


def header_context(workflow: Workflow, tab: str) -> dict[str, Any]:
    """The workflow page header: name, type, on/off, version, and the tabs with counts."""
    enrollments = Enrollment.objects.filter(workflow=workflow)
    failed = StepRun.objects.filter(enrollment__workflow=workflow, status=StepStatus.FAILED)
    return {
        "workflow": workflow,
        "object_type": object_type_named(workflow.object_type),
        "tab": tab,
        "tabs": TABS,
        "enrolled_now": enrollments.filter(status=EnrollmentStatus.ACTIVE).count(),
        "enrollment_count": enrollments.count(),
        "failed_count": failed.count(),
    }
