"""Managing users (super admins): invite, resend an invitation, accept it, change a role,
deactivate and reactivate, unlock a user locked out by failed sign-ins.

Each managing service locks every active super admin (in id order) before the user it changes,
then asks the rules again, the acting super admin's own standing included: two super admins
demoting each other at once run one after the other, and the second is refused instead of
leaving the account without one."""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from faktura.accounts import lockout
from faktura.accounts.models import Role, User
from faktura.accounts.services import get_account_settings
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.emails.addresses import clean_address
from faktura.emails.models import EmailKind
from faktura.emails.services import Sender, queue_email
from faktura.history import services as history
from faktura.team import invitations, rules

NAME_MAX_LENGTH = 150  # User.first_name, last_name and username


def invite_user(
    *,
    actor: Actor,
    email: str,
    role: str,
    base_url: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user without a password and email them a link to choose one. `base_url` is the
    address Faktura is served at (the request's), where the link points."""
    require(rules.can_manage_users(actor))
    address = clean_address(email, field=_("Email"))
    if len(address) > NAME_MAX_LENGTH:
        raise RuleViolation(
            _("Faktura takes email addresses of at most %(limit)d characters as usernames.")
            % {"limit": NAME_MAX_LENGTH}
        )
    require(rules.is_role(role))
    names = {"first_name": first_name.strip(), "last_name": last_name.strip()}
    if any(len(name) > NAME_MAX_LENGTH for name in names.values()):
        raise RuleViolation(
            _("Keep first and last names to %(limit)d characters or fewer.")
            % {"limit": NAME_MAX_LENGTH}
        )
    if existing := _user_with_address(address):
        raise RuleViolation(_duplicate_reason(existing), code="duplicate_email")
    sender = _sender(actor)
    try:
        with transaction.atomic():
            _lock_super_admins(actor)
            # The email is the username: people sign in with the address they were invited at.
            user = User(username=address.lower(), email=address, role=role, **names)
            user.set_unusable_password()
            user.save()
            history.record_event(
                user, "user.invited", actor=actor, data={"email": address, "role": role}
            )
            _queue_invitation(user, actor=actor, sender=sender, base_url=base_url)
    except IntegrityError as error:  # invited by someone else between the check and the insert
        if (existing := _user_with_address(address)) is None:
            raise
        raise RuleViolation(_duplicate_reason(existing), code="duplicate_email") from error
    return user


def resend_invitation(user: User, *, actor: Actor, base_url: str) -> User:
    """Email a new link; earlier links stop working (a new unusable password changes the hash
    they sign)."""
    require(rules.can_manage_users(actor))
    sender = _sender(actor)
    with transaction.atomic():
        _lock_super_admins(actor)
        user = _lock_user(user)
        require(rules.can_resend_invitation(user))
        user.set_unusable_password()
        user.save(update_fields=["password"])
        history.record_event(user, "user.invitation_resent", actor=actor)
        _queue_invitation(user, actor=actor, sender=sender, base_url=base_url)
    return user


def accept_invitation(user: User, *, token: str, password: str) -> User:
    """The invited person chooses their password (Django's password validators apply); the link
    stops working with it. Signing in is the page's business."""
    with transaction.atomic():
        user = _lock_user(user)
        require(invitations.check(user, token))
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise RuleViolation(" ".join(error.messages), code="weak_password") from None
        user.set_password(password)
        user.save(update_fields=["password"])
        history.record_event(user, "user.invitation_accepted", actor=Actor.for_user(user))
    return user


def change_role(user: User, role: str, *, actor: Actor) -> User:
    require(rules.can_manage_users(actor))
    with transaction.atomic():
        super_admins = _lock_super_admins(actor)
        user = _lock_user(user)
        require(rules.can_change_role(user, role, super_admins=super_admins))
        before = rules.role_of_user(user)
        user.role = role
        fields = ["role"]
        if role != Role.SUPER_ADMIN and (user.is_superuser or user.is_staff):
            # A Django superuser is a super admin whatever its role says; the admin site too.
            user.is_superuser = user.is_staff = False
            fields += ["is_superuser", "is_staff"]
        user.save(update_fields=fields)
        history.record_changes(user, {"role": before}, {"role": role}, actor=actor)
    return user


def deactivate_user(user: User, *, actor: Actor) -> User:
    """The user can no longer sign in, and a session they have open stops working (Django's
    authentication refuses inactive users on every request)."""
    require(rules.can_manage_users(actor))
    with transaction.atomic():
        super_admins = _lock_super_admins(actor)
        user = _lock_user(user)
        require(rules.can_deactivate(user, super_admins=super_admins))
        return _set_active(user, False, actor=actor)


def reactivate_user(user: User, *, actor: Actor) -> User:
    require(rules.can_manage_users(actor))
    with transaction.atomic():
        _lock_super_admins(actor)
        user = _lock_user(user)
        require(rules.can_reactivate(user))
        return _set_active(user, True, actor=actor)


def unlock_user(user: User, *, actor: Actor) -> User:
    """Forget the user's failed sign-ins so they may sign in again before the cool-off ends
    (failures counted against an address they share stay: `manage.py axes_reset_ip`)."""
    require(rules.can_manage_users(actor))
    with transaction.atomic():
        _lock_super_admins(actor)
        user = _lock_user(user)
        if lockout.clear_username(user.get_username()):
            history.record_event(user, "user.unlocked", actor=actor)
    return user


def _set_active(user: User, active: bool, *, actor: Actor) -> User:
    user.is_active = active
    fields = ["is_active"]
    if not active and rules.invitation_pending(user):
        user.set_unusable_password()  # a withdrawn invitation's link stays dead after reactivation
        fields.append("password")
    user.save(update_fields=fields)
    history.record_event(user, "user.reactivated" if active else "user.deactivated", actor=actor)
    return user


def _lock_super_admins(actor: Actor) -> int:
    """Lock the active super admins, ask again whether the actor is one of them, and answer how
    many there are. Taken before any user's row, everywhere, so that two services never wait on
    each other in a circle."""
    locked = rules.active_super_admins().select_for_update().order_by("pk")
    ids = set(locked.values_list("pk", flat=True))
    require(rules.can_manage_users(actor, super_admin_ids=ids))
    return len(ids)


def _lock_user(user: User) -> User:
    """The user's row as stored, locked."""
    return User.objects.select_for_update().get(pk=user.pk)


def _user_with_address(address: str) -> User | None:
    return User.objects.filter(Q(email__iexact=address) | Q(username__iexact=address)).first()


def _duplicate_reason(user: User) -> str:
    if not user.is_active:
        text = _(
            "%(email)s belongs to %(name)s, who is deactivated: reactivate them instead of "
            "inviting again."
        )
    elif rules.invitation_pending(user):
        text = _(
            "%(email)s is invited already: resend the invitation from the list if it did not "
            "arrive."
        )
    else:
        text = _("%(email)s belongs to %(name)s, who is a user already: change their role instead.")
    return text % {"email": user.email or user.username, "name": user.full_name}


def _sender(actor: Actor) -> Sender:
    """The account's default From address; else the inviting super admin's own."""
    account = get_account_settings()
    if account.default_from_email:
        return Sender(account.default_from_email, account.company_name)
    if actor.user is not None and (own := getattr(actor.user, "email", "")):
        return Sender(own, getattr(actor.user, "full_name", ""))
    raise RuleViolation(
        _(
            "There is no address to send the invitation from. Set the “Default from email” in "
            "Settings (or an email address on your own user), then invite again."
        ),
        code="no_sender",
    )


def _queue_invitation(user: User, *, actor: Actor, sender: Sender, base_url: str) -> None:
    account = get_account_settings()
    inviter = getattr(actor.user, "full_name", "") if actor.user is not None else ""
    context: dict[str, Any] = {
        "user": user,
        "inviter": inviter or account.company_name,
        "company": account.company_name,
        "role": Role(user.role).label,
        "link": invitations.invitation_link(user, base_url),
        "sign_in": f"{base_url.rstrip('/')}{reverse('accounts:login')}",
        "valid_days": invitations.INVITATION_VALID_FOR.days,
    }
    queue_email(
        actor=actor,
        kind=EmailKind.USER_INVITATION,
        about=user,
        sender=sender,
        to=[user.email],
        subject=_("Your invitation to Faktura at %(company)s") % {"company": account.company_name},
        text=render_to_string("team/invitation_email.txt", context),
    )
