"""Intuit's OAuth 2 (QB-14): the endpoints read from the discovery document, the consent URL,
and the token calls (exchange a code, refresh, revoke). Each call is made outside any
transaction (core.outside) with a timeout; what to store is `tokens.py`'s business."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from faktura.core.outside import external_call
from faktura.quickbooks.errors import QuickBooksError, ReconnectNeeded

SCOPE = "com.intuit.quickbooks.accounting"

_discovered: dict[str, dict[str, Any]] = {}
_discovery_lock = threading.Lock()


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    access_expires_at: dt.datetime
    refresh_expires_at: dt.datetime | None


def is_configured() -> bool:
    return bool(settings.QUICKBOOKS_CLIENT_ID and settings.QUICKBOOKS_CLIENT_SECRET)


def _endpoints() -> dict[str, Any]:
    url = settings.QUICKBOOKS_DISCOVERY_URL
    with _discovery_lock:
        if url in _discovered:
            return _discovered[url]
    try:
        with external_call("Intuit's OAuth discovery document"):
            answer = requests.get(url, timeout=settings.QUICKBOOKS_TIMEOUT)
        answer.raise_for_status()
        document = answer.json()
        for key in ("authorization_endpoint", "token_endpoint", "revocation_endpoint"):
            if not isinstance(document.get(key), str):
                raise ValueError(f"it has no {key}")
    except (requests.RequestException, ValueError) as error:
        raise QuickBooksError(
            _("Intuit's sign-in service could not be reached at %(url)s (%(error)s). Check "
            "QUICKBOOKS_DISCOVERY_URL and the network, then try again.")
            % {"url": url, "error": error},
            retryable=True,
        ) from None  # fmt: skip
    with _discovery_lock:
        _discovered[url] = document
    return document


def authorize_url(*, state: str, redirect_uri: str) -> str:
    """Where to send the user's browser to pick a company and consent."""
    query = urllib.parse.urlencode(
        {
            "client_id": settings.QUICKBOOKS_CLIENT_ID,
            "response_type": "code",
            "scope": SCOPE,
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    return f"{_endpoints()['authorization_endpoint']}?{query}"


def _token_call(form: dict[str, str]) -> TokenSet:
    try:
        with external_call("Intuit's token endpoint"):
            answer = requests.post(
                _endpoints()["token_endpoint"],
                data=form,
                auth=(settings.QUICKBOOKS_CLIENT_ID, settings.QUICKBOOKS_CLIENT_SECRET),
                headers={"Accept": "application/json"},
                timeout=settings.QUICKBOOKS_TIMEOUT,
            )
    except requests.RequestException as error:
        raise QuickBooksError(
            _("Intuit's token service did not answer (%(error)s); Faktura will try again.")
            % {"error": error},
            retryable=True,
        ) from None
    body: dict[str, Any] = {}
    with contextlib.suppress(ValueError):
        body = answer.json()
    if answer.status_code == 400 and body.get("error") == "invalid_grant":
        raise ReconnectNeeded(
            _("QuickBooks no longer accepts this connection (%(said)s): it was disconnected in "
            "QuickBooks, or not used for too long. Reconnect QuickBooks in Settings → "
            "QuickBooks.") % {"said": body.get("error_description") or "invalid_grant"}
        )  # fmt: skip
    if answer.status_code in (400, 401):
        raise QuickBooksError(
            _("Intuit refused Faktura's app credentials (%(said)s). Check QUICKBOOKS_CLIENT_ID "
            "and QUICKBOOKS_CLIENT_SECRET.") % {"said": body.get("error") or answer.status_code},
            retryable=False, status=answer.status_code,
        )  # fmt: skip
    if answer.status_code != 200 or "access_token" not in body:
        raise QuickBooksError(
            _("Intuit's token service answered %(status)s; Faktura will try again.")
            % {"status": answer.status_code},
            retryable=True,
            status=answer.status_code,
        )
    now = timezone.now()
    refresh_for = body.get("x_refresh_token_expires_in")
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
        access_expires_at=now + dt.timedelta(seconds=int(body.get("expires_in", 3600))),
        refresh_expires_at=now + dt.timedelta(seconds=int(refresh_for)) if refresh_for else None,
    )


def exchange_code(code: str, *, redirect_uri: str) -> TokenSet:
    return _token_call(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    )


def refresh(refresh_token: str) -> TokenSet:
    return _token_call({"grant_type": "refresh_token", "refresh_token": refresh_token})


def revoke(token: str) -> None:
    """Tell Intuit to end the connection. A failure is reported; the caller decides."""
    try:
        with external_call("Intuit's revoke endpoint"):
            answer = requests.post(
                _endpoints()["revocation_endpoint"],
                json={"token": token},
                auth=(settings.QUICKBOOKS_CLIENT_ID, settings.QUICKBOOKS_CLIENT_SECRET),
                headers={"Accept": "application/json"},
                timeout=settings.QUICKBOOKS_TIMEOUT,
            )
    except requests.RequestException as error:
        raise QuickBooksError(str(error), retryable=True) from None
    if answer.status_code not in (200, 204, 400):  # 400: the token was already gone
        raise QuickBooksError(
            _("Intuit answered %(status)s to the revoke.") % {"status": answer.status_code},
            retryable=True,
            status=answer.status_code,
        )
