"""/faktura/v1/workflows: list the workflows, export one as its JSON document, import a document
as a new workflow or over an existing one, and publish and turn it on or off as asked (issue 6).
The document is described in docs/workflows.md, "Export and import (JSON)"; its `enabled` is
never applied, the `enabled` query parameter is the ask. Secrets never leave through the API.

Scope `faktura.workflows`, for reading and writing. The token acts for its creator, who must be
a super admin, or (made with `manage.py create_api_token` without --user) for the system."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from faktura.api import wire
from faktura.api.auth import require_scopes
from faktura.api.errors import ApiError
from faktura.api.objects.records import ERRORS, caller, run_service
from faktura.api.scopes import WORKFLOWS
from faktura.core.actors import Actor
from faktura.workflows import transfer
from faktura.workflows.models import Workflow


class WorkflowRow(Schema):
    id: str
    name: str
    objectType: str
    enabled: bool
    publishedVersion: int | None
    hasUnpublishedChanges: bool
    updatedAt: dt.datetime


class WorkflowList(Schema):
    results: list[WorkflowRow]


class WorkflowDocumentIn(Schema):
    """A workflow document, as GET answers it or `manage.py workflows export` writes it."""

    model_config = ConfigDict(extra="forbid")

    format: str
    version: int
    name: str
    object_type: str
    definition: dict[str, Any]
    # How the workflow stood where it was exported: ignored (use the query parameters).
    enabled: bool | None = None
    published_version: int | None = None
    has_unpublished_changes: bool | None = None
    id: str | None = None


class WorkflowDocumentOut(Schema):
    id: str
    format: str
    version: int
    name: str
    object_type: str
    enabled: bool
    published_version: int | None
    has_unpublished_changes: bool
    definition: dict[str, Any]


def _actor(request: HttpRequest) -> Actor:
    """The token's actor, once the token's scopes allow workflows."""
    who = caller(request)
    require_scopes(who, (WORKFLOWS,))
    return who.actor


def _find(actor: Actor, workflow_id: str) -> Workflow:
    workflows = run_service(transfer.readable_workflows, actor)
    found = None
    if re.fullmatch(r"[0-9]{1,18}", workflow_id):
        found = workflows.filter(pk=int(workflow_id)).first()
    if found is None:
        raise ApiError(
            404,
            f"No workflow with id {workflow_id} exists. GET /faktura/v1/workflows lists them.",
            "OBJECT_NOT_FOUND",
        )
    return found


def _document(workflow: Workflow) -> dict[str, Any]:
    return {"id": str(workflow.pk), **transfer.export_workflow(workflow)}


def _import(
    actor: Actor,
    body: WorkflowDocumentIn,
    into: Workflow | None,
    publish: bool,
    enabled: bool | None,
) -> dict[str, Any]:
    document = body.model_dump(exclude_unset=True)
    made = run_service(
        transfer.import_workflow,
        document,
        actor=actor,
        into=into,
        publish=publish,
        enabled=enabled,
    )
    return _document(made)


def build_router() -> Router:
    router = Router(tags=["Workflows"])

    @router.get("", response={200: WorkflowList, **ERRORS})
    def list_workflows(request: HttpRequest) -> Any:
        """Every workflow, by name: whether it is on, its published version and whether its
        draft differs from it."""
        rows = run_service(transfer.readable_workflows, _actor(request))
        return {
            "results": [
                {
                    "id": str(w.pk),
                    "name": w.name,
                    "objectType": w.object_type,
                    "enabled": w.enabled,
                    "publishedVersion": w.published.number if w.published else None,
                    "hasUnpublishedChanges": w.has_unpublished_changes,
                    "updatedAt": wire.moment(w.updated_at),
                }
                for w in rows
            ]
        }

    @router.get("/{workflow_id}", response={200: WorkflowDocumentOut, **ERRORS})
    def get_workflow(request: HttpRequest, workflow_id: str) -> Any:
        """The workflow's document (its draft), secrets left out, with its id."""
        return _document(_find(_actor(request), workflow_id))

    @router.post("", response={201: WorkflowDocumentOut, **ERRORS})
    def create_workflow(
        request: HttpRequest,
        body: WorkflowDocumentIn,
        publish: bool = False,
        enabled: bool | None = None,
    ) -> Any:
        """Import the document as a new workflow (off unless `enabled=true`). With
        `publish=true` its definition is published, refused with every problem; with
        `enabled=true` it is also turned on. All or nothing."""
        return Status(201, _import(_actor(request), body, None, publish, enabled))

    @router.put("/{workflow_id}", response={200: WorkflowDocumentOut, **ERRORS})
    def replace_workflow(
        request: HttpRequest,
        workflow_id: str,
        body: WorkflowDocumentIn,
        publish: bool = False,
        enabled: bool | None = None,
    ) -> Any:
        """Replace the workflow's name and draft with the document's; a secret the document
        leaves out keeps the value the same step has. `publish=true` publishes the draft (a
        no-op when it is the published version); `enabled=true`/`false` turns it on/off;
        without `enabled` it stays as it is. All or nothing."""
        actor = _actor(request)
        workflow = _find(actor, workflow_id)
        return _import(actor, body, workflow, publish, enabled)

    return router
