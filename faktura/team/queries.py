"""What the Users page shows: each user with their state and what may be done to them, and the
recent changes to users as sentences (read from history)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from faktura.accounts import lockout
from faktura.accounts.models import Role, User
from faktura.core.actors import ActorKind
from faktura.core.errors import Decision
from faktura.core.locales import format_day
from faktura.history.models import Entry
from faktura.history.readable import format_when
from faktura.team import rules
from faktura.team.invitations import INVITATION_VALID_FOR

INVITATION_EVENTS = ("user.invited", "user.invitation_resent")
RECENT_CHANGES = 20


@dataclass(frozen=True)
class UserRow:
    user: User
    role: str
    last_login: str
    invitation_pending: bool
    # For a pending invitation: when its link stops working, and whether it has.
    invitation_expires: str | None
    invitation_expired: bool
    demote: Decision
    deactivate: Decision
    resend: Decision
    # Too many failed sign-ins for this username within the cool-off (accounts.lockout).
    locked: bool


def user_rows(users: QuerySet[User], locale: str) -> list[UserRow]:
    """Active users first, by name; dates written in `locale`."""
    super_admins = rules.active_super_admins().count()
    users = users.order_by("-is_active", "first_name", "last_name", "username")
    sent = _invitations_sent([u.pk for u in users if rules.invitation_pending(u)])
    now = timezone.now()
    locked = lockout.locked_usernames(u.username for u in users)
    rows = []
    for user in users:
        expires = sent[user.pk] + INVITATION_VALID_FOR if user.pk in sent else None
        rows.append(
            UserRow(
                user=user,
                role=Role(rules.role_of_user(user)).label,
                last_login=format_day(user.last_login, locale),
                invitation_pending=rules.invitation_pending(user),
                invitation_expires=format_day(expires, locale) if expires else None,
                invitation_expired=expires is not None and now > expires,
                demote=rules.can_change_role(user, Role.VIEWER, super_admins=super_admins),
                deactivate=rules.can_deactivate(user, super_admins=super_admins),
                resend=rules.can_resend_invitation(user),
                locked=user.username in locked,
            )
        )
    return rows


def _invitations_sent(user_ids: list[int]) -> dict[int, dt.datetime]:
    """When each user's latest invitation was sent (history's invited/resent events)."""
    sent: dict[int, dt.datetime] = {}
    for object_id, at in (
        Entry.objects.filter(object_type="user", object_id__in=user_ids)
        .filter(kind=Entry.Kind.EVENT, event_type__in=INVITATION_EVENTS)
        .order_by("at", "id")
        .values_list("object_id", "at")
    ):
        sent[object_id] = at  # the latest one wins
    return sent


@dataclass(frozen=True)
class Change:
    when: str
    text: str


def recent_changes(limit: int = RECENT_CHANGES) -> list[Change]:
    """Newest first: who invited whom, role changes, deactivations, accepted invitations."""
    entries = list(Entry.objects.filter(object_type="user").order_by("-at", "-id")[:limit])
    ids = {e.object_id for e in entries} | {e.actor_user_id for e in entries if e.actor_user_id}
    users = User.objects.in_bulk(list(ids))
    return [Change(format_when(entry.at), _describe(entry, users)) for entry in entries]


def _describe(entry: Entry, users: dict[int, User]) -> str:
    subject = users.get(entry.object_id)
    values = {
        "who": _who(entry, users),
        "user": subject.full_name if subject else _("user %(id)s") % {"id": entry.object_id},
    }
    if entry.kind == Entry.Kind.CHANGE and entry.property == "role":
        return _("%(who)s changed the role of %(user)s from %(old)s to %(new)s.") % {
            **values,
            "old": _role_label(entry.old_value),
            "new": _role_label(entry.new_value),
        }
    texts = {
        "user.invited": _("%(who)s invited %(user)s as %(role)s."),
        "user.invitation_resent": _("%(who)s sent %(user)s a new invitation."),
        "user.invitation_accepted": _("%(user)s accepted the invitation and chose a password."),
        "user.deactivated": _("%(who)s deactivated %(user)s."),
        "user.reactivated": _("%(who)s reactivated %(user)s."),
        "user.unlocked": _("%(who)s unlocked the sign-in of %(user)s."),
    }
    text = texts.get(entry.event_type, entry.event_type or entry.property)
    return text % {**values, "role": _role_label(entry.data.get("role"))}


def _who(entry: Entry, users: dict[int, User]) -> str:
    user = users.get(entry.actor_user_id) if entry.actor_user_id else None
    if user is not None:
        return user.full_name
    return entry.actor_label or ActorKind(entry.actor_kind).label


def _role_label(value: str | None) -> str:
    return str(Role(value).label) if value in Role.values else (value or "")
