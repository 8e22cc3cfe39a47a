"""Who may do what: answered as Decisions so the UI, API and services share one reason."""

from faktura.accounts.models import Role
from faktura.core.actors import Actor, ActorKind
from faktura.core.errors import ALLOWED, Decision, refuse


def role_of(actor: Actor) -> str | None:
    """The acting user's role; None for actors that are not a signed-in user."""
    if actor.user is None:
        return None
    if getattr(actor.user, "is_superuser", False):
        return Role.SUPER_ADMIN
    return getattr(actor.user, "role", Role.VIEWER)


def is_active_user(actor: Actor) -> Decision:
    """A deactivated user acts for nobody: a session or token still holding them, or a call made
    with a user object loaded before the deactivation, changes nothing."""
    if actor.user is not None and not getattr(actor.user, "is_active", True):
        return refuse(
            "This user is deactivated and can no longer change anything. A super admin can "
            "reactivate them in Settings → Users.",
            "permission_denied",
        )
    return ALLOWED


def can_edit_invoices(actor: Actor) -> Decision:
    """Super admins and users with invoice edit permission; workflows and the system act for the
    account. An API actor acts with the rights of the user its token belongs to; a token made
    on the command line belongs to no user and acts for the account (its scopes limit it)."""
    if not (active := is_active_user(actor)):
        return active
    if actor.kind in (ActorKind.SYSTEM, ActorKind.WORKFLOW, ActorKind.INTEGRATION):
        return ALLOWED
    if actor.kind == ActorKind.API and actor.user is None:
        return ALLOWED
    if role_of(actor) in (Role.SUPER_ADMIN, Role.EDITOR):
        return ALLOWED
    return refuse(
        "You have view-only access to invoices. Ask a super admin for invoice edit permission.",
        "permission_denied",
    )


def can_edit_records(actor: Actor) -> Decision:
    """Creating and changing CRM records, products and payments: everyone but view-only users."""
    if not (active := is_active_user(actor)):
        return active
    if role_of(actor) == Role.VIEWER:
        return refuse(
            "You have view-only access. Ask a super admin for edit permission.",
            "permission_denied",
        )
    return ALLOWED


def can_manage_settings(actor: Actor) -> Decision:
    if not (active := is_active_user(actor)):
        return active
    if actor.kind == ActorKind.SYSTEM or role_of(actor) == Role.SUPER_ADMIN:
        return ALLOWED
    return refuse("Only a super admin can change the account settings.", "permission_denied")


def can_edit_profile(actor: Actor, user: object) -> Decision:
    """A person changes their own profile; every role may, view-only users too."""
    if actor.kind == ActorKind.USER and getattr(actor.user, "pk", None) == getattr(user, "pk", 0):
        return ALLOWED
    return refuse(
        "Only the person a profile belongs to can change it here. Super admins change "
        "other users in Settings.",
        "permission_denied",
    )
