"""API tokens: create, revoke, and find the token a request presents.

A token's secret is `fk_` + 43 URL-safe characters; only its SHA-256 is stored, so a leaked
database does not leak working tokens. The secret is returned once, by `create_token`."""

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from faktura.accounts.permissions import can_manage_settings
from faktura.api.models import ApiToken
from faktura.api.scopes import SCOPE_NAMES, ordered
from faktura.core.actors import Actor
from faktura.core.errors import ALLOWED, Decision, RuleViolation, refuse, require
from faktura.core.text_input import check_text

SECRET_PREFIX = "fk_"
# Characters of the secret kept in clear: "fk_" and 7 random ones, enough to tell tokens apart.
PREFIX_LENGTH = 10
NAME_MAX_LENGTH = 100
# Recording every use would be a write per request; a minute is precise enough for "last used".
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def can_revoke(token: ApiToken) -> Decision:
    if token.revoked_at is not None:
        return refuse(
            f"The API token “{token.name}” was revoked already. Create a new token if a program "
            "needs access again.",
            "already_revoked",
        )
    return ALLOWED


def create_token(*, actor: Actor, name: str, scopes: Iterable[str]) -> tuple[ApiToken, str]:
    """Create a token; returns it and its secret, which is not stored and cannot be shown again."""
    require(can_manage_settings(actor))
    name = " ".join(name.split())
    check_text(name, "The token's name")
    if not name:
        raise RuleViolation(
            "Give the token a name that says which program uses it, e.g. “Accounting sync”."
        )
    if len(name) > NAME_MAX_LENGTH:
        raise RuleViolation(f"Keep the token's name to {NAME_MAX_LENGTH} characters or fewer.")
    wanted = [scope.strip() for scope in scopes if scope.strip()]
    if unknown := sorted(set(wanted) - SCOPE_NAMES):
        raise RuleViolation(
            f"Unknown scope{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Choose from: {', '.join(ordered(SCOPE_NAMES))}.",
            code="unknown_scope",
        )
    if not wanted:
        raise RuleViolation(
            "Choose at least one scope: a token without scopes cannot call any endpoint.",
            code="no_scopes",
        )
    taken = _name_taken_reason(name)
    if ApiToken.objects.filter(name__iexact=name, revoked_at__isnull=True).exists():
        raise RuleViolation(taken, code="duplicate_name")
    raw = SECRET_PREFIX + secrets.token_urlsafe(32)
    user = actor.user if actor.user is not None and actor.user.pk else None
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                name=name,
                prefix=raw[:PREFIX_LENGTH],
                secret_hash=hash_secret(raw),
                scopes=ordered(wanted),
                created_by_id=user.pk if user is not None else None,
            )
    except IntegrityError as error:
        # Another request took the name between our check and the insert.
        raise RuleViolation(taken, code="duplicate_name") from error
    return token, raw


def _name_taken_reason(name: str) -> str:
    return (
        f"An active API token is already named “{name}”. Choose another name, or revoke that "
        "token first."
    )


def revoke_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    """Revoke a token: requests that present it are refused from now on. It stays listed."""
    require(can_manage_settings(actor))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        require(can_revoke(token))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def find_token(raw: str) -> ApiToken | None:
    """The token with this secret, revoked or not; None when there is none."""
    raw = raw.strip()
    if not raw.startswith(SECRET_PREFIX) or len(raw) > 200:
        return None
    digest = hash_secret(raw)
    # The lookup is by hash, so timing reveals nothing about the secret; compare anyway.
    token = ApiToken.objects.select_related("created_by").filter(secret_hash=digest).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest):
        return None
    return token


def mark_used(token: ApiToken) -> None:
    """Note that the token was used now, at most once a minute (a guarded UPDATE, no lock)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
    token.last_used_at = now


def authenticate(raw: str) -> ApiToken | None:
    """The active token with this secret, noted as used; None when unknown or revoked."""
    token = find_token(raw)
    if token is None or token.revoked_at is not None:
        return None
    mark_used(token)
    return token
