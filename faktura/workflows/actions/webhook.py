"""“Send a webhook” (WF-4, WQ-14): POST the enrolled record as signed JSON to a URL.

The request:

    POST <url>
    Content-Type: application/json
    User-Agent: Faktura-Workflows
    Idempotency-Key: <the step's key; the same on every retry of this step>
    X-Faktura-Timestamp: <unix seconds when this attempt was sent>
    X-Faktura-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body bytes>")>

    {"workflow": …, "objectType": "contact", "objectId": "42",
     "properties": {"email": "ada@example.com", "phone": null, …},
     "firstAttemptAt": "…Z", "occurredAt": "…Z"}

The receiver verifies by recomputing the HMAC over the timestamp, a dot and the body exactly as
received, comparing in constant time, and refusing timestamps too far from its clock.

Outcomes follow HubSpot's webhook action: 2xx succeeds; 429 is retried, honouring Retry-After;
5xx, timeouts and connection failures are retried (first after a minute, doubling, at most eight
hours apart, for three days); any other answer (3xx, 4xx) fails without retrying. Redirects are not
followed: a POST must not silently become a GET to another address.

Addresses (S8, server-side request forgery): a webhook never goes to this server, its private
networks, the cloud metadata service or other addresses that are not on the public internet,
unless FAKTURA_WEBHOOK_ALLOWED_NETWORKS (settings.WEBHOOK_ALLOWED_NETWORKS) allows them. The host
name is looked up once, every address it has is checked, and the connection goes to a checked
address (see faktura.core.network). Such a refusal does not change by retrying, so it is not
retried; a URL written with such an address is a problem at publish already.

Timeouts: http.client, so connecting (TCP and TLS) gets 3 seconds and each wait for the answer
30 seconds, as HubSpot's (settings.WEBHOOK_RESPONSE_TIMEOUT, FAKTURA_WEBHOOK_TIMEOUT). Resolving
the host name is not bounded by either (the system resolver). The request is never sent inside a
database transaction (core.outside): the engine runs this action after its claim is committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http
import http.client
import json
import socket
import ssl
import string
from collections.abc import Mapping
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import ngettext

from faktura.core import network
from faktura.core.errors import RuleViolation
from faktura.core.outside import external_call
from faktura.core.properties import object_type_for, object_types
from faktura.workflows.config_fields import SECRET, TEXT, URL
from faktura.workflows.registry import (
    ActionContext,
    ActionError,
    ActionType,
    ConfigField,
    RetryPolicy,
    action_types,
)

CONNECT_TIMEOUT = 3.0  # seconds: TCP connect and TLS handshake
USER_AGENT = "Faktura-Workflows"
RESULT_EXCERPT = 500  # characters of a successful answer kept in the action log
ERROR_EXCERPT = 200  # characters of a refusal quoted in the error message
MAX_READ = 64 * 1024  # bytes of an answer read at most

SCHEMES = ("http", "https")
ALLOW_SETTING = "FAKTURA_WEBHOOK_ALLOWED_NETWORKS"  # the environment variable, for messages


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Faktura-Signature header value for a body sent at `timestamp`."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def property_names(config: Mapping[str, Any]) -> list[str]:
    """The names in `include_properties`, in order, without blanks or repeats."""
    names: list[str] = []
    for name in str(config.get("include_properties") or "").split(","):
        name = name.strip()
        if name and name not in names:
            names.append(name)
    return names


def allowed_networks() -> list[network.Network]:
    """The networks webhooks may reach although they are not public (LAN receivers, tests)."""
    try:
        return network.networks(settings.WEBHOOK_ALLOWED_NETWORKS, "WEBHOOK_ALLOWED_NETWORKS")
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from None


def _refusal(found: network.NotPublic, host: str) -> str:
    """Which address was refused, what it is, and the two ways out."""
    reached = "points to" if network.literal_address(host) is not None else "resolves to"
    rule = (
        "Faktura does not send webhooks into private networks."
        if found.private
        else "Faktura sends webhooks only to public internet addresses."
    )
    return (
        f"The webhook URL {reached} {found.shown}, {found.words}; {rule} Use a public "
        f"address, or allow the network with {ALLOW_SETTING}."
    )


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number 0-65535)
    except ValueError:
        return f"“{url}” is not a valid web address."
    if parts.scheme.lower() not in SCHEMES:
        return f"The webhook URL must start with http:// or https:// (not “{url}”)."
    if not parts.hostname:
        return f"The webhook URL “{url}” has no host name."
    if parts.username or parts.password:
        return (
            "Leave the user name and password out of the webhook URL: Faktura signs every "
            "request with the secret instead."
        )
    if network.literal_address(parts.hostname) is None:
        try:
            parts.hostname.encode("idna")  # as the resolver will; raises for empty/long labels
        except UnicodeError as error:
            return f"The webhook URL's host name “{parts.hostname}” is not valid ({error})."
    return None


def _address_problem(url: str) -> str | None:
    """A URL written with an address Faktura does not send to (http://169.254.169.254/…);
    host names are checked when sending, as their addresses can change."""
    host = urlsplit(url).hostname or ""
    address = network.literal_address(host)
    found = network.refused(address, allowed_networks()) if address is not None else None
    return _refusal(found, host) if found is not None else None


def validate(object_type: str, config: Mapping[str, Any]) -> list[str]:
    problems = []
    url = str(config.get("url") or "").strip()
    url_problem = _url_problem(url) or _address_problem(url)
    if url_problem:
        problems.append(f"“Send a webhook”: {url_problem}")
    declared = next((t for t in object_types if t.singular == object_type), None)
    if declared is not None:
        known = {p.name for p in declared.properties}
        unknown = [name for name in property_names(config) if name not in known]
        if unknown:
            problems.append(
                f"“Send a webhook”: {declared.label.lower()} have no propert"
                f"{'y' if len(unknown) == 1 else 'ies'} named {', '.join(unknown)}. "
                "Use the properties' internal names (e.g. email), separated by commas."
            )
    return problems


def _shown(parts: SplitResult) -> str:
    """The URL as messages show it: without query or fragment, which often carry tokens."""
    return parts._replace(query="", fragment="").geturl()


def _phrase(status: int, reason: str) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} {reason}".strip()


def _in_words(wait: dt.timedelta) -> str:
    seconds = round(wait.total_seconds())
    if seconds < 120:
        return ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}
    if seconds < 2 * 3600:
        minutes = round(seconds / 60)
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    hours = round(seconds / 3600)
    return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}


def retry_after(headers: Message, now: dt.datetime) -> dt.timedelta | None:
    """Retry-After as a wait: delay-seconds or an HTTP date; None when absent or unreadable."""
    value = (headers.get("Retry-After") or "").strip()
    if value.isdigit():
        seconds = int(value)
        return dt.timedelta(seconds=seconds) if seconds > 0 else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    wait = when - now
    return wait if wait > dt.timedelta(0) else None


def response_timeout() -> float:
    """Seconds of each wait on the socket after connecting."""
    return float(settings.WEBHOOK_RESPONSE_TIMEOUT)


@external_call("a webhook receiver")
def _post(
    parts: SplitResult, body: bytes, headers: Mapping[str, str]
) -> tuple[int, str, Message, str]:
    """Send the request; (status, reason, headers, body as text). Raises AddressRefused for an
    address Faktura does not send to, OSError or http.client.HTTPException, and _ConnectTimeout
    when connecting takes too long."""
    host = parts.hostname or ""
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    addresses = network.resolve(host, port, allowed_networks())
    connection: http.client.HTTPConnection
    if https:
        connection = network.PinnedHTTPSConnection(
            host, port, addresses, timeout=CONNECT_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        connection = network.PinnedHTTPConnection(host, port, addresses, timeout=CONNECT_TIMEOUT)
    # Keep what is already escaped; escape what is not (spaces, non-ASCII characters).
    target = quote(parts.path or "/", safe=string.punctuation)
    if parts.query:
        target += "?" + quote(parts.query, safe=string.punctuation)
    try:
        try:
            connection.connect()
        except TimeoutError as error:
            raise _ConnectTimeout from error
        assert connection.sock is not None
        connection.sock.settimeout(response_timeout())
        connection.request("POST", target, body=body, headers=dict(headers))
        response = connection.getresponse()
        text = response.read(MAX_READ).decode("utf-8", errors="replace")
        return response.status, response.reason, response.msg, text
    finally:
        connection.close()


class _ConnectTimeout(Exception):
    pass


def _failure(error: BaseException, url: str, host: str) -> ActionError:
    """An exception from sending as a message a user understands; all are worth retrying.
    Messages state what happened, not what comes next: the engine adds "next try at …" while
    retrying, and the last attempt's message must stay true when it gives up."""
    advice = ""
    match error:
        case _ConnectTimeout():
            reason = f"did not accept a connection within {CONNECT_TIMEOUT:g} seconds"
        case TimeoutError():
            reason = f"did not answer within {response_timeout():g} seconds"
        case socket.gaierror():
            reason = f"could not be reached: Faktura could not find the host {host}"
        case ConnectionRefusedError():
            reason = "refused the connection (nothing is listening at that address and port)"
        case ssl.SSLCertVerificationError():
            detail = error.verify_message or str(error)
            reason = f"presented a certificate Faktura cannot trust ({detail})"
            advice = " Fix the certificate on the receiving end."
        case ssl.SSLError():
            reason = f"could not set up a secure connection ({error.reason or error})"
        case http.client.RemoteDisconnected() | ConnectionResetError():
            reason = "closed the connection without answering"
        case _:
            reason = f"could not be reached ({error.__class__.__name__}: {error})"
    return ActionError(f"The webhook at {url} {reason}.{advice}", retryable=True)


def run(context: ActionContext) -> dict[str, Any]:
    config = context.config
    url = str(config.get("url") or "").strip()
    problem = _url_problem(url)
    if problem:
        raise ActionError(f"{problem} Fix the workflow's webhook URL, then retry.")
    parts = urlsplit(url)
    shown = _shown(parts)
    record = context.record
    try:
        declared = object_type_for(record)
    except LookupError as error:
        raise ActionError(f"The webhook was not sent: {error}") from None
    try:
        names = property_names(config)
        properties = [declared.property(name) for name in names] or list(declared.properties)
    except RuleViolation as error:
        raise ActionError(
            f"The webhook was not sent: {error.reason} Fix “Include properties”, then retry."
        ) from None

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    timestamp = int(now.timestamp())
    payload = {
        "workflow": context.workflow_name,
        "objectType": context.object_type,
        "objectId": str(record.pk),
        "properties": {p.name: p.to_text(p.read(record)) for p in properties},
        "firstAttemptAt": _iso(context.first_attempt_at),
        "occurredAt": _iso(now),
    }
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": context.idempotency_key,
        "X-Faktura-Timestamp": str(timestamp),
        "X-Faktura-Signature": sign(str(config.get("secret") or ""), timestamp, body),
    }

    try:
        status, reason, answer_headers, text = _post(parts, body, headers)
    except network.AddressRefused as refused:
        raise ActionError(_refusal(refused.found, parts.hostname or "")) from None
    except http.client.InvalidURL as error:
        raise ActionError(
            f"The webhook URL {shown} is not valid ({error}). Fix it, then retry."
        ) from None
    except (_ConnectTimeout, OSError, http.client.HTTPException) as error:
        raise _failure(error, shown, parts.hostname or "") from None

    answered = _phrase(status, reason)
    if 200 <= status < 300:
        return {"status": status, "response": text[:RESULT_EXCERPT]}
    if status == 429:
        wait = retry_after(answer_headers, dt.datetime.now(dt.UTC))
        asked = f" and asked Faktura to wait {_in_words(wait)}" if wait else ""
        raise ActionError(
            f"The webhook at {shown} answered {answered}{asked}: it is receiving more requests "
            "than it accepts.",
            retryable=True,
            retry_after=wait,
        )
    if status >= 500:
        raise ActionError(
            f"The webhook at {shown} answered {answered}: a problem on the receiving end, "
            "often temporary.",
            retryable=True,
        )
    if 300 <= status < 400:
        location = answer_headers.get("Location")
        moved = f" to {location}" if location else ""
        raise ActionError(
            f"The webhook at {shown} answered {answered}{moved}. Faktura does not follow "
            "redirects: change the webhook URL to the address that answers, then retry."
        )
    excerpt = " ".join(text.split())[:ERROR_EXCERPT]
    raise ActionError(
        f"The webhook at {shown} refused the request with {answered}"
        f"{': ' + excerpt if excerpt else ''}. Fix the receiving end or the URL, then retry."
    )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


SEND_WEBHOOK = action_types.register(
    "send_webhook",
    ActionType(
        name="send_webhook",
        label="Send a webhook",
        description=(
            "Send the record's properties as signed JSON (POST) to a URL. Failed deliveries are "
            "retried for up to three days, except when the receiver refuses the request (4xx)."
        ),
        run=run,
        fields=(
            ConfigField(
                "url",
                "Webhook URL",
                kind=URL,
                help="An http:// or https:// address that accepts a JSON POST.",
            ),
            ConfigField(
                "secret",
                "Secret",
                kind=SECRET,
                help=(
                    "Shared with the receiver, which checks X-Faktura-Signature: "
                    'sha256=HMAC-SHA256(secret, "<X-Faktura-Timestamp>.<body>").'
                ),
            ),
            ConfigField(
                "include_properties",
                "Include properties",
                kind=TEXT,
                required=False,
                help="Internal property names separated by commas; empty sends them all.",
            ),
        ),
        object_types=None,
        transactional=False,
        retry=RetryPolicy(),
        validate=validate,
        category="Integrations",
    ),
)
