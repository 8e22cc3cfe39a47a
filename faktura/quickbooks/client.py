"""A thin client for the QuickBooks Online v3 API, minorversion 75 (ADR 0010 says why not
python-quickbooks): JSON in and out with money as Decimal, a timeout on every call, Intuit's
limits for the company (limits.py), tokens refreshed by one process (tokens.py), retries with
back-off for 429 (honouring Retry-After), 5xx and network errors (QB-12), and typed errors
with QuickBooks' own message (errors.py).

Every write carries a `requestid` (QB-13): QuickBooks answers a repeated requestid with the
first answer, so a retry after a lost answer never makes a second document."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from faktura.core.backoff import Backoff
from faktura.core.outside import external_call
from faktura.quickbooks import limits, tokens
from faktura.quickbooks.errors import (
    QuickBooksError,
    ReconnectNeeded,
    error_from_faults,
    faults_in,
)
from faktura.quickbooks.models import QuickBooksConnection
from faktura.quickbooks.request_ids import (
    REQUEST_ID_LENGTH,
    current_request_id,
    record_refusal,
)

MINOR_VERSION = "75"
BATCH_SIZE = 30  # Intuit's recommended maximum per batch request
PAGE_SIZE = 1000  # QuickBooks' largest MAXRESULTS

log = logging.getLogger(__name__)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def quote(text: str) -> str:
    """A string literal for the query language: `'` escaped as QuickBooks wants it (`\\'`)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class QuickBooksClient:
    """Calls for one connected company. `max_wait` is how long a call may wait in this process
    (for the company's budget, a Retry-After or back-off) before it gives the wait back to the
    caller as a retryable error with `retry_after`."""

    def __init__(
        self,
        connection: QuickBooksConnection,
        *,
        max_wait: float = 30.0,
        attempts: int = 4,
        session: requests.Session | None = None,
    ) -> None:
        self.connection = connection
        self.max_wait = max_wait
        self.attempts = attempts
        self.session = session or requests.Session()
        self.base = f"{settings.QUICKBOOKS_API_URL.rstrip('/')}/v3/company/{connection.realm_id}"

    # -- reads -------------------------------------------------------------------------------

    def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        answer = self._call(
            "GET", f"/{entity.lower()}/{entity_id}", what=_("Reading %(e)s %(id)s") % {
                "e": entity, "id": entity_id}
        )  # fmt: skip
        return dict(answer[entity])

    def company_info(self) -> dict[str, Any]:
        answer = self._call(
            "GET", f"/companyinfo/{self.connection.realm_id}", what=_("Reading the company")
        )
        return dict(answer["CompanyInfo"])

    def query(self, text: str) -> list[dict[str, Any]]:
        """The rows of one query page (`SELECT * FROM Item WHERE …`)."""
        answer = self._call(
            "POST", "/query", body=text.encode(), content_type="application/text",
            what=_("Searching QuickBooks"),
        )  # fmt: skip
        response = answer.get("QueryResponse", {})
        rows = next((v for v in response.values() if isinstance(v, list)), [])
        return [dict(row) for row in rows]

    def query_all(self, select: str) -> Iterator[dict[str, Any]]:
        """Every row of `select` (no paging clauses in it), a page of 1000 at a time."""
        position = 1
        while True:
            page = self.query(f"{select} STARTPOSITION {position} MAXRESULTS {PAGE_SIZE}")
            yield from page
            if len(page) < PAGE_SIZE:
                return
            position += PAGE_SIZE

    def count(self, select_count: str) -> int:
        answer = self._call(
            "POST", "/query", body=select_count.encode(), content_type="application/text",
            what=_("Counting in QuickBooks"),
        )  # fmt: skip
        return int(answer.get("QueryResponse", {}).get("totalCount", 0))

    # -- writes ------------------------------------------------------------------------------

    def create(self, entity: str, body: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        answer = self._call(
            "POST", f"/{entity.lower()}", json_body=body, request_id=request_id,
            what=_("Creating the %(entity)s") % {"entity": entity},
        )  # fmt: skip
        return dict(answer[entity])

    def update(self, entity: str, body: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        """A sparse update: only the fields in `body` (with Id and SyncToken) change."""
        answer = self._call(
            "POST", f"/{entity.lower()}", json_body={**body, "sparse": True},
            request_id=request_id, what=_("Updating the %(entity)s") % {"entity": entity},
        )  # fmt: skip
        return dict(answer[entity])

    def batch(self, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each item a BatchItemRequest (with its own `bId`); answers in the same order, each
        holding its entity or its `Fault`. Sent 30 at a time."""
        answers: list[dict[str, Any]] = []
        for start in range(0, len(items), BATCH_SIZE):
            chunk = list(items[start : start + BATCH_SIZE])
            answer = self._call(
                "POST", "/batch", json_body={"BatchItemRequest": chunk},
                what=_("Sending a batch"),
            )  # fmt: skip
            by_id = {a.get("bId"): a for a in answer.get("BatchItemResponse", [])}
            answers.extend(by_id.get(item["bId"], {}) for item in chunk)
        return answers

    # -- the call ----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        json_body: dict[str, Any] | None = None,
        body: bytes | None = None,
        content_type: str = "application/json",
        request_id: str | None = None,
    ) -> dict[str, Any]:
        if request_id is not None and len(request_id) > REQUEST_ID_LENGTH:
            raise ValueError(f"requestid longer than {REQUEST_ID_LENGTH}: {request_id}")
        params = {"minorversion": MINOR_VERSION}
        if request_id is not None:
            params["requestid"] = current_request_id(self.connection.realm_id, request_id)
        if json_body is not None:
            body = json.dumps(json_body, default=_json_default).encode()
        started = time.monotonic()
        backoff = Backoff(first=1.0, cap=30.0)
        refreshed_after_401 = False
        attempt = 0
        while True:
            attempt += 1
            remaining = self.max_wait - (time.monotonic() - started)
            try:
                return self._once(method, path, params, body, content_type, what, remaining)
            except ReconnectNeeded:
                raise
            except _AccessRefused as refused:
                if refreshed_after_401:
                    message = _(
                        "QuickBooks refused the connection's fresh token for %(name)s. "
                        "Reconnect QuickBooks in Settings → QuickBooks."
                    ) % {"name": self.connection.company_name}
                    tokens.mark_needs_reconnect(self.connection.pk, message)
                    raise ReconnectNeeded(message) from None
                tokens.expire_access_token(self.connection.pk, refused.token)
                refreshed_after_401 = True
                continue
            except QuickBooksError as error:
                if request_id is not None and error.status == 400:
                    # Refused, so nothing was made: the next try may go out under a new id.
                    record_refusal(self.connection.realm_id, request_id)
                if not error.retryable or attempt >= self.attempts:
                    raise
                wait = error.retry_after if error.retry_after is not None else backoff.next_delay()
                if time.monotonic() - started + wait > self.max_wait:
                    error.retry_after = max(wait, error.retry_after or 0)
                    raise
                log.info("QuickBooks %s %s: %s; again in %.1f s", method, path, error, wait)
                if error.status != 429:  # a 429's wait is the company's pause, held by limits
                    time.sleep(wait)

    def _once(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        body: bytes | None,
        content_type: str,
        what: str,
        max_wait: float,
    ) -> dict[str, Any]:
        token = tokens.access_token(self.connection.pk, max_wait=max(max_wait, 1.0))
        realm = self.connection.realm_id
        with limits.company_budget(realm, max_wait=max(max_wait, 0.0)):
            try:
                with external_call("QuickBooks"):
                    answer = self.session.request(
                        method,
                        self.base + path,
                        params=params,
                        data=body,
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Accept": "application/json",
                            "Content-Type": content_type,
                        },
                        timeout=settings.QUICKBOOKS_TIMEOUT,
                    )
            except requests.RequestException as error:
                raise QuickBooksError(
                    _("%(what)s: QuickBooks could not be reached or did not answer (%(error)s); "
                    "Faktura will try again.") % {"what": what, "error": type(error).__name__},
                    retryable=True,
                ) from None  # fmt: skip
            retry_after = _seconds(answer.headers.get("Retry-After"))
            if answer.status_code == 429:
                # Paused before the slot is given back, so no other call slips in meanwhile.
                limits.pause_company(realm, retry_after)
        log.debug(
            "QuickBooks %s %s → %s (intuit_tid %s)",
            method, path, answer.status_code, answer.headers.get("intuit_tid", ""),
        )  # fmt: skip
        try:
            data = json.loads(answer.content or b"{}", parse_float=Decimal)
        except ValueError:
            data = None
        if answer.status_code == 401:
            raise _AccessRefused(token)
        if answer.status_code == 429:
            raise error_from_faults(what, 429, faults_in(data), retry_after)
        if answer.status_code == 403:
            raise ReconnectNeeded(
                _("QuickBooks refused access to %(name)s (403): the user who connected it may "
                "have lost access. Reconnect QuickBooks in Settings → QuickBooks.")
                % {"name": self.connection.company_name}
            )  # fmt: skip
        faults = faults_in(data)
        if answer.status_code >= 400 or faults or not isinstance(data, dict):
            raise error_from_faults(what, answer.status_code, faults)
        return data


class _AccessRefused(Exception):
    def __init__(self, token: str) -> None:
        self.token = token


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
