"""Who may manage users, and what keeps the account manageable: answered as Decisions, so the
Users page, the services and the command give the same reason."""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from faktura.accounts.models import Role, User
from faktura.accounts.permissions import role_of
from faktura.core.actors import Actor, ActorKind
from faktura.core.errors import ALLOWED, Decision, refuse


def can_manage_users(actor: Actor, *, super_admin_ids: set[int] | None = None) -> Decision:
    """Super admins (and the command line, which acts as the system). Services pass the ids of
    the super admins they locked: the acting one may have been demoted a moment ago."""
    if actor.kind == ActorKind.SYSTEM:
        return ALLOWED
    if role_of(actor) == Role.SUPER_ADMIN and (
        super_admin_ids is None or (actor.user is not None and actor.user.pk in super_admin_ids)
    ):
        return ALLOWED
    return refuse(
        _("Only a super admin can invite users, change their roles or deactivate them."),
        "permission_denied",
    )


def role_of_user(user: User) -> str:
    """The role a user acts with: a Django superuser is a super admin whatever `role` says."""
    return role_of(Actor.for_user(user)) or Role.VIEWER


def active_super_admins() -> QuerySet[User]:
    """The super admins who can sign in now: active, with a password of their own (an invited
    super admin counts once they have accepted)."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.SUPER_ADMIN) | Q(is_superuser=True))
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    )


def invitation_pending(user: User) -> bool:
    """Invited, and no password chosen yet."""
    return not user.has_usable_password()


def _is_last_super_admin(user: User, super_admins: int) -> bool:
    counts = user.is_active and user.has_usable_password()
    return counts and role_of_user(user) == Role.SUPER_ADMIN and super_admins <= 1


def _last_super_admin() -> Decision:
    return refuse(
        _("Faktura needs at least one active super admin: make another user a super admin first."),
        "last_super_admin",
    )


def is_role(role: str) -> Decision:
    if role in Role.values:
        return ALLOWED
    return refuse(
        _("“%(role)s” is not a role. Choose one of: %(roles)s.")
        % {"role": role, "roles": ", ".join(Role.values)},
        "invalid_role",
    )


def can_change_role(user: User, role: str, *, super_admins: int) -> Decision:
    """`super_admins`: how many active super admins there are (`active_super_admins`)."""
    if not (decision := is_role(role)):
        return decision
    if role != Role.SUPER_ADMIN and _is_last_super_admin(user, super_admins):
        return _last_super_admin()
    return ALLOWED


def can_deactivate(user: User, *, super_admins: int) -> Decision:
    if not user.is_active:
        return refuse(
            _("%(name)s is deactivated already.") % {"name": user.full_name}, "already_inactive"
        )
    if _is_last_super_admin(user, super_admins):
        return _last_super_admin()
    return ALLOWED


def can_reactivate(user: User) -> Decision:
    if user.is_active:
        return refuse(_("%(name)s is active already.") % {"name": user.full_name}, "already_active")
    return ALLOWED


def can_resend_invitation(user: User) -> Decision:
    if not invitation_pending(user):
        return refuse(
            _(
                "%(name)s accepted the invitation already and signs in with their own password; "
                "there is nothing to resend."
            )
            % {"name": user.full_name},
            "invitation_accepted",
        )
    if not user.is_active:
        return refuse(
            _("%(name)s is deactivated: reactivate them first, then resend the invitation.")
            % {"name": user.full_name},
            "inactive",
        )
    return ALLOWED
