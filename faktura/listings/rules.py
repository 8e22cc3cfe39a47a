"""Who may do what with saved views and exports, answered as Decisions."""

from faktura.accounts.models import Role
from faktura.accounts.permissions import can_edit_records, role_of
from faktura.core.actors import Actor
from faktura.core.errors import ALLOWED, Decision, refuse
from faktura.listings.models import Export, SavedView


def _is_owner(actor: Actor, owner_id: int) -> bool:
    return actor.user is not None and actor.user.pk == owner_id


def can_see_view(view: SavedView, actor: Actor) -> Decision:
    if view.shared or _is_owner(actor, view.owner_id):
        return ALLOWED
    return refuse("This view is private to the person who saved it.", "not_found")


def can_save_view(actor: Actor, *, shared: bool) -> Decision:
    """Everyone who can read may keep private views; sharing one with the team puts a tab on
    everyone's page, so it takes edit access."""
    if actor.user is None:
        return refuse("Only a signed-in user can save a view.", "permission_denied")
    if shared and not can_edit_records(actor):
        return refuse(
            "You have view-only access, so you can save views for yourself but not share "
            "them with the team.",
            "permission_denied",
        )
    return ALLOWED


def can_change_view(view: SavedView, actor: Actor, *, shared: bool | None = None) -> Decision:
    """The owner changes and deletes a view; a super admin may also tidy up shared views."""
    if not (
        _is_owner(actor, view.owner_id) or (view.shared and role_of(actor) == Role.SUPER_ADMIN)
    ):
        return refuse(
            f"Only {view.owner} can change or delete the view '{view.name}'. Save your own copy "
            "with 'Save as new view'.",
            "permission_denied",
        )
    if shared and not view.shared:
        return can_save_view(actor, shared=True)
    return ALLOWED


def can_download_export(export: Export, actor: Actor) -> Decision:
    if _is_owner(actor, export.owner_id):
        return ALLOWED
    return refuse("Only the person who made an export can download it.", "not_found")
