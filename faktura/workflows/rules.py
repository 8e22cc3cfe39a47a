"""Who may change workflows, and when a workflow may be published or turned on."""

from faktura.accounts.permissions import can_manage_settings
from faktura.core.actors import Actor, ActorKind
from faktura.core.errors import ALLOWED, Decision, refuse
from faktura.workflows.models import Workflow


def can_manage_workflows(actor: Actor) -> Decision:
    # Workflows act on every record of a type and can send data out (webhooks).
    if actor.kind == ActorKind.API and actor.user is None:
        # A token made on the command line belongs to no user and acts for the system; the
        # faktura.workflows scope (only super admins and the command line make tokens) limits it.
        return ALLOWED
    if not (decision := can_manage_settings(actor)):
        return refuse("Only a super admin can create and change workflows.", "permission_denied")
    return decision


def can_turn_on(workflow: Workflow) -> Decision:
    if workflow.published is None:
        return refuse("Review and publish the workflow before turning it on.", "not_published")
    if workflow.enabled:
        return refuse(f"“{workflow.name}” is already on.", "invalid_state")
    return ALLOWED


def can_turn_off(workflow: Workflow) -> Decision:
    if not workflow.enabled:
        return refuse(f"“{workflow.name}” is already off.", "invalid_state")
    return ALLOWED
