"""A connection's access token, refreshed before it expires by exactly one process at a time
(QB-14): however many workers find it stale at once, one of them leases the refresh, calls
Intuit outside any transaction, and stores the new pair; the others wait and read it.

The newest refresh token is always kept: Intuit may hand a new one on any refresh, and the
one it replaced works only for a grace period. A refresher killed after Intuit answered but
before it stored the answer loses that pair; once its lease runs out the next process refreshes
with the stored (previous) token, which Intuit still accepts during the grace period."""

from __future__ import annotations

import datetime as dt
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faktura.core.encryption import UnreadableSecret, decrypt, encrypt
from faktura.quickbooks import oauth, rules
from faktura.quickbooks.errors import QuickBooksError, ReconnectNeeded
from faktura.quickbooks.models import ConnectionStatus, QuickBooksConnection

# Refresh this long before the access token expires, so a call never starts with a token
# that dies on the way.
REFRESH_MARGIN = dt.timedelta(minutes=5)
POLL_SECONDS = 0.1


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.QUICKBOOKS_TIMEOUT + 10)


def _fresh(connection: QuickBooksConnection, now: dt.datetime) -> bool:
    return bool(
        connection.access_token
        and connection.access_expires_at
        and connection.access_expires_at - REFRESH_MARGIN > now
    )


def _unusable(connection: QuickBooksConnection) -> ReconnectNeeded:
    return ReconnectNeeded(rules.can_use(connection).reason)


def store_tokens(connection: QuickBooksConnection, tokens: oauth.TokenSet) -> None:
    """Put a new token pair on a connection locked by the caller (not saved here)."""
    connection.access_token = encrypt(tokens.access_token)
    connection.refresh_token = encrypt(tokens.refresh_token)
    connection.access_expires_at = tokens.access_expires_at
    connection.refresh_expires_at = tokens.refresh_expires_at


def access_token(connection_id: int, *, max_wait: float | None = None) -> str:
    """A current access token for the connection, refreshing it first when needed; waits at
    most `max_wait` seconds for another process's refresh (default: twice its lease).
    Raises ReconnectNeeded when Intuit no longer accepts the connection or its stored
    tokens cannot be opened."""
    try:
        return _access_token(connection_id, max_wait)
    except UnreadableSecret as unreadable:
        # The keys changed: connecting again stores tokens the current key opens.
        raise ReconnectNeeded(unreadable.args[0]) from None


def _access_token(connection_id: int, max_wait: float | None) -> str:
    holder = uuid.uuid4().hex
    waited_since = time.monotonic()
    longest = 2 * _lease().total_seconds() if max_wait is None else max_wait
    while True:
        connection = QuickBooksConnection.objects.get(pk=connection_id)
        if not connection.is_usable:
            raise _unusable(connection)
        now = timezone.now()
        if _fresh(connection, now):
            return decrypt(connection.access_token)
        with transaction.atomic():
            connection = QuickBooksConnection.objects.select_for_update().get(pk=connection_id)
            now = timezone.now()
            if not connection.is_usable:
                raise _unusable(connection)
            if _fresh(connection, now):
                return decrypt(connection.access_token)
            leased = connection.refresh_lease_until and connection.refresh_lease_until > now
            if not leased:
                connection.refresh_holder = holder
                connection.refresh_lease_until = now + _lease()
                connection.save(update_fields=["refresh_holder", "refresh_lease_until"])
        if leased:
            # Another process is refreshing: wait for its answer (or for its lease to run out).
            if time.monotonic() - waited_since > longest:
                raise QuickBooksError(
                    _("Refreshing the QuickBooks connection takes too long; Faktura will try "
                    "again."), retryable=True
                )  # fmt: skip
            time.sleep(POLL_SECONDS)
            continue
        return _refresh(connection, holder)


def _refresh(connection: QuickBooksConnection, holder: str) -> str:
    try:
        tokens = oauth.refresh(decrypt(connection.refresh_token))
    except ReconnectNeeded as refused:
        _finish(connection.pk, holder, refused=refused)
        raise
    except Exception:
        # Give the lease back at once (a network error, keys that do not open the stored
        # token): the next call tries again instead of waiting for the lease to run out.
        _finish(connection.pk, holder)
        raise
    _finish(connection.pk, holder, tokens=tokens)
    return tokens.access_token


def _finish(
    connection_id: int,
    holder: str,
    *,
    tokens: oauth.TokenSet | None = None,
    refused: ReconnectNeeded | None = None,
) -> None:
    with transaction.atomic():
        connection = QuickBooksConnection.objects.select_for_update().get(pk=connection_id)
        if connection.refresh_holder != holder:
            # Our lease ran out and another process took over; its pair is the newer one.
            return
        fields = ["refresh_holder", "refresh_lease_until"]
        connection.refresh_holder = ""
        connection.refresh_lease_until = None
        if tokens is not None:
            store_tokens(connection, tokens)
            connection.refreshed_at = timezone.now()
            connection.refresh_count += 1
            fields += [
                "access_token",
                "refresh_token",
                "access_expires_at",
                "refresh_expires_at",
                "refreshed_at",
                "refresh_count",
            ]
        if refused is not None and connection.is_usable:
            connection.status = ConnectionStatus.NEEDS_RECONNECT
            connection.status_message = refused.message
            fields += ["status", "status_message"]
        connection.save(update_fields=fields)


def expire_access_token(connection_id: int, token: str) -> None:
    """QuickBooks refused `token` (401) before its time: refresh on the next call, unless
    another process has already stored a different one."""
    with transaction.atomic():
        connection = QuickBooksConnection.objects.select_for_update().get(pk=connection_id)
        if connection.access_token and decrypt(connection.access_token) == token:
            connection.access_expires_at = timezone.now() - REFRESH_MARGIN
            connection.save(update_fields=["access_expires_at"])


def mark_needs_reconnect(connection_id: int, message: str) -> None:
    """QuickBooks refused even a freshly refreshed token: only a new consent helps."""
    QuickBooksConnection.objects.filter(pk=connection_id, status=ConnectionStatus.CONNECTED).update(
        status=ConnectionStatus.NEEDS_RECONNECT, status_message=message
    )
