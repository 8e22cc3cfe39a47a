"""Fixed-window rate limits counted in the database, shared by the API (per token) and the
buyer page (per client address).

Counted in the database so a limit holds across web processes and machines: one row per key,
incremented by a single atomic upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, which
SQLite ≥ 3.35 and PostgreSQL both run) — one query per request, no lock held. A fixed window
lets a client send up to twice the limit across a window boundary; Retry-After is exact.

A limit is written "requests/seconds" (e.g. "100/10"); "0" or "off" turns it off."""

import time
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router

OFF = {"0", "off", "none", "false", "no"}


@dataclass(frozen=True)
class RateLimit:
    requests: int
    seconds: int


def parse_rate_limit(value: str, *, setting: str) -> RateLimit | None:
    """Read "100/10" as 100 requests per 10 seconds; "0" or "off" as None (no limit).
    `setting` names where the value came from, for the error."""
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
            f"{setting} is {value!r}; write it as requests/seconds, e.g. "
            f"'100/10', or 'off' to turn the limit off."
        )
    return limit


def count_request(
    model: type[models.Model], key: int | str, limit: RateLimit, *, now: float | None = None
) -> float | None:
    """Count one request under `key` in `model`'s table (its primary key is the key, and it has
    `window_start` and `requests`). None when within the limit; otherwise the seconds to wait
    until the window ends. `now` (Unix time) is for tests; requests use the clock."""
    moment = time.time() if now is None else now
    start = int(moment // limit.seconds) * limit.seconds
    connection = connections[router.db_for_write(model)]
    table = connection.ops.quote_name(model._meta.db_table)
    column = model._meta.pk.column
    if not column:
        raise ImproperlyConfigured(f"{model.__name__} needs a one-column primary key.")
    key_column = connection.ops.quote_name(column)
    # A request stamped with an older window than the stored one (clocks of two machines a
    # little apart) counts in the newer window instead of resetting it.
    sql = (
        f"INSERT INTO {table} ({key_column}, window_start, requests) VALUES (%s, %s, 1) "
        f"ON CONFLICT ({key_column}) DO UPDATE SET "
        f"requests = CASE WHEN {table}.window_start >= excluded.window_start "
        f"THEN {table}.requests + 1 ELSE 1 END, "
        f"window_start = CASE WHEN {table}.window_start >= excluded.window_start "
        f"THEN {table}.window_start ELSE excluded.window_start END "
        "RETURNING window_start, requests"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, start])
        window_start, requests = cursor.fetchone()
    if requests <= limit.requests:
        return None
    return float(window_start + limit.seconds - moment)
