"""The "Workflows" card on a record's page (WF-4): the workflows the record is or was enrolled
in, with the step each is on. Registered into core's record panels when the app is ready."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string

from faktura.core.properties import object_type_for
from faktura.core.record_panels import RecordPanel, record_panels
from faktura.core.web import actor_for
from faktura.workflows import logs, rules
from faktura.workflows.definition import WORKFLOW_TYPES


def workflows_panel(request: HttpRequest, record: models.Model) -> str:
    try:
        object_type = object_type_for(record).singular
    except LookupError:
        return ""
    if object_type not in WORKFLOW_TYPES:
        return ""  # products and line items have no workflows
    rows = logs.record_enrollments(object_type, int(record.pk))
    return render_to_string(
        "workflows/_record_panel.html",
        {
            "rows": rows,
            "more": len(rows) >= logs.PANEL_SIZE,
            "can_manage": bool(rules.can_manage_workflows(actor_for(request))),
            "object_type": object_type,
        },
        request=request,
    )


def register() -> None:
    record_panels.register("workflows", RecordPanel("workflows", workflows_panel))
