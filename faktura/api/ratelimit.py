"""Per-token rate limit, by default HubSpot's 100 requests per 10 seconds.

Counted in the database so it holds across web processes and machines: a fixed window per token,
one row per token, incremented by a single atomic upsert (`INSERT … ON CONFLICT DO UPDATE …
RETURNING`, which SQLite ≥ 3.35 and PostgreSQL both run) — one query per request, no lock held,
nothing to prune. A fixed window lets a client send up to twice the limit across a window
boundary; HubSpot clients pace themselves below the limit anyway, and Retry-After is exact.

Configured by `FAKTURA_API_RATE_LIMIT` ("requests/seconds", e.g. "100/10"; "0" or "off" turns it
off)."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router

from faktura.api.models import ApiRateWindow, ApiToken

DEFAULT_RATE_LIMIT = "100/10"
OFF = {"0", "off", "none", "false", "no"}


@dataclass(frozen=True)
class RateLimit:
    requests: int
    seconds: int


def parse_rate_limit(value: str) -> RateLimit | None:
    """Read "100/10" as 100 requests per 10 seconds; "0" or "off" as None (no limit)."""
    text = value.strip().lower()
    if text in OFF:
        return None
    requests, _, seconds = text.partition("/")
    try:
        limit = RateLimit(int(requests), int(seconds))
    except ValueError:
        limit = RateLimit(-1, -1)
    if limit.requests == 0:
        return None
    if limit.requests < 0 or limit.seconds <= 0:
        raise ImproperlyConfigured(
            f"FAKTURA_API_RATE_LIMIT is {value!r}; write it as requests/seconds, e.g. "
            "'100/10', or 'off' to turn the API rate limit off."
        )
    return limit


def configured_limit() -> RateLimit | None:
    """Read on every request, so a changed setting (and a test's override) applies at once."""
    return parse_rate_limit(str(getattr(settings, "FAKTURA_API_RATE_LIMIT", DEFAULT_RATE_LIMIT)))


def hit(token: ApiToken, *, now: float | None = None) -> float | None:
    """Count one request of `token`. None when it is within the limit; otherwise the seconds to
    wait until its window ends. `now` (Unix time) is for tests; requests use the clock."""
    limit = configured_limit()
    if limit is None:
        return None
    moment = time.time() if now is None else now
    start = int(moment // limit.seconds) * limit.seconds
    connection = connections[router.db_for_write(ApiRateWindow)]
    table = connection.ops.quote_name(ApiRateWindow._meta.db_table)
    # A request stamped with an older window than the stored one (clocks of two machines a
    # little apart) counts in the newer window instead of resetting it.
    sql = (
        f"INSERT INTO {table} (token_id, window_start, requests) VALUES (%s, %s, 1) "
        "ON CONFLICT (token_id) DO UPDATE SET "
        f"requests = CASE WHEN {table}.window_start >= excluded.window_start "
        f"THEN {table}.requests + 1 ELSE 1 END, "
        f"window_start = CASE WHEN {table}.window_start >= excluded.window_start "
        f"THEN {table}.window_start ELSE excluded.window_start END "
        "RETURNING window_start, requests"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [token.pk, start])
        window_start, requests = cursor.fetchone()
    if requests <= limit.requests:
        return None
    return float(window_start + limit.seconds - moment)
