"""Per-token rate limit, by default HubSpot's 100 requests per 10 seconds.

A fixed window per token, one row per token, counted by `faktura.core.ratelimit` (nothing to
prune); HubSpot clients pace themselves below the limit anyway, and Retry-After is exact.

Configured by `FAKTURA_API_RATE_LIMIT` ("requests/seconds", e.g. "100/10"; "0" or "off" turns it
off)."""

from django.conf import settings

from faktura.api.models import ApiRateWindow, ApiToken
from faktura.core import ratelimit
from faktura.core.ratelimit import RateLimit

DEFAULT_RATE_LIMIT = "100/10"


def parse_rate_limit(value: str) -> RateLimit | None:
    """Read "100/10" as 100 requests per 10 seconds; "0" or "off" as None (no limit)."""
    return ratelimit.parse_rate_limit(value, setting="FAKTURA_API_RATE_LIMIT")


def configured_limit() -> RateLimit | None:
    """Read on every request, so a changed setting (and a test's override) applies at once."""
    return parse_rate_limit(str(getattr(settings, "FAKTURA_API_RATE_LIMIT", DEFAULT_RATE_LIMIT)))


def hit(token: ApiToken, *, now: float | None = None) -> float | None:
    """Count one request of `token`. None when it is within the limit; otherwise the seconds to
    wait until its window ends. `now` (Unix time) is for tests; requests use the clock."""
    limit = configured_limit()
    if limit is None:
        return None
    return ratelimit.count_request(ApiRateWindow, token.pk, limit, now=now)
