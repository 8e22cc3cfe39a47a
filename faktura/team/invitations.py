"""Invitation links: signed, expiring tokens in the manner of Django's password-reset links, so no
token is stored. A link stops working once used (choosing a password changes the hash it
signs), and once a newer invitation replaces it or the user is deactivated (both draw a new
unusable password)."""

import datetime as dt

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from faktura.accounts.models import User
from faktura.accounts.services import user_locale
from faktura.core.errors import ALLOWED, Decision, refuse
from faktura.core.locales import format_day

INVITATION_VALID_FOR = dt.timedelta(days=7)


class InvitationTokens(PasswordResetTokenGenerator):
    key_salt = "faktura.team.invitations"

    def check_token(self, user: User | None, token: str | None) -> bool:
        return bool(token) and check(user, str(token)).ok

    def signed_at(self, user: User, token: str) -> dt.datetime | None:
        """When the token was made (Django's naive local clock), if it is the user's own and
        still matches their state; None for a forged, used or replaced token."""
        ts_b36, _sep, _hash = token.partition("-")
        try:
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return None
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(
                self._make_token_with_timestamp(user, timestamp, secret), token
            ):
                return dt.datetime(2001, 1, 1) + dt.timedelta(seconds=timestamp)
        return None

    def now(self) -> dt.datetime:
        return self._now()


tokens = InvitationTokens()


def check(user: User | None, token: str) -> Decision:
    """Whether the link still lets this person choose a password, and if not, why (in words).
    `user` is None when the link names no user (damaged, or the user was deleted)."""
    if user is not None and not user.is_active:
        return refuse(
            _(
                "Your access to Faktura was withdrawn, so this invitation no longer works. Ask a "
                "super admin if this is a mistake."
            ),
            "invitation_withdrawn",
        )
    signed_at = tokens.signed_at(user, token) if user is not None else None
    if user is None or signed_at is None:
        return refuse(
            _(
                "This invitation link was used already, replaced by a newer one, or is incomplete. "
                "If you chose your password, sign in with it; otherwise ask a super admin to send "
                "you a new invitation."
            ),
            "invitation_invalid",
        )
    expires_at = signed_at + INVITATION_VALID_FOR
    if tokens.now() > expires_at:
        return refuse(
            ngettext(
                "This invitation expired on %(day)s: links work for %(days)d day. Ask a super "
                "admin to send you a new one.",
                "This invitation expired on %(day)s: links work for %(days)d days. Ask a super "
                "admin to send you a new one.",
                INVITATION_VALID_FOR.days,
            )
            % {
                "day": format_day(expires_at, user_locale(user)),
                "days": INVITATION_VALID_FOR.days,
            },
            "invitation_expired",
        )
    return ALLOWED


def invitation_link(user: User, base_url: str) -> str:
    """The absolute link to the page where the invited user chooses their password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("team:accept_invitation", args=[uid, tokens.make_token(user)])
    return f"{base_url.rstrip('/')}{path}"


def invited_user(uidb64: str) -> User | None:
    """The user a link names; None when the link is damaged or the user is gone."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except ValueError:
        return None
    return User.objects.filter(pk=pk).first()
