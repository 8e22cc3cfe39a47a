"""Who is calling the API and what they may do: the bearer token, its rate limit and its scopes,
refused with HubSpot's error bodies (401 INVALID_AUTHENTICATION, 429 RATE_LIMITS, 403
MISSING_SCOPES)."""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest

from faktura.api import ratelimit, tokens
from faktura.api.errors import ApiError
from faktura.api.models import ApiToken
from faktura.core.actors import Actor

HOW_TO_GET_A_TOKEN = (
    "Create a token in Settings → API tokens, or with `python manage.py create_api_token`, and "
    "send it as 'Authorization: Bearer <token>'."
)
SCOPES_HELP = "https://developers.hubspot.com/scopes"


@dataclass(frozen=True)
class Caller:
    token: ApiToken
    actor: Actor
    scopes: frozenset[str]


def _unauthenticated(reason: str) -> ApiError:
    return ApiError(401, f"{reason} {HOW_TO_GET_A_TOKEN}", "INVALID_AUTHENTICATION")


def authenticate_request(request: HttpRequest) -> Caller:
    """The caller behind the request's bearer token, counted against its rate limit."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise _unauthenticated(
            "Authentication credentials not found. This API supports private app tokens."
        )
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or " " in raw:
        raise _unauthenticated(
            "The Authorization header is malformed: it must be the word Bearer, a space and the "
            "token."
        )
    token = tokens.find_token(raw)
    if token is None:
        raise _unauthenticated(
            "The access token is not valid: no token with this secret exists (check that it "
            "was copied whole)."
        )
    if token.revoked_at is not None:
        raise _unauthenticated(
            f"The access token “{token.name}” was revoked on "
            f"{token.revoked_at:%Y-%m-%d %H:%M} UTC and can no longer be used."
        )
    owner = token.created_by
    if owner is not None and not owner.is_active:
        # A token acts for its user: deactivating the user stops their tokens too.
        raise _unauthenticated(
            f"The access token “{token.name}” belongs to {owner.get_username()}, whose user is "
            "deactivated; a super admin can reactivate them in Settings → Users, or make a new "
            "token for an active user."
        )
    if (wait := ratelimit.hit(token)) is not None:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            f"You have reached your rate limit for this token. Wait {seconds} second"
            f"{'s' if seconds != 1 else ''} (see the Retry-After header) and send the request "
            "again; slow down to stay under the limit.",
            "RATE_LIMITS",
            headers={"Retry-After": str(seconds)},
        )
    tokens.mark_used(token)
    return Caller(
        token=token,
        actor=Actor.api(token.created_by, f"API token {token.name}"),
        scopes=frozenset(token.scopes),
    )


def require_scopes(caller: Caller, scopes: Iterable[str]) -> None:
    """Refuse the call unless the caller's token has every one of `scopes`."""
    missing = [scope for scope in dict.fromkeys(scopes) if scope not in caller.scopes]
    if not missing:
        return
    raise ApiError(
        403,
        "This app hasn't been granted all required scopes to make this call. Read more about "
        f"required scopes here: {SCOPES_HELP}. The token “{caller.token.name}” lacks "
        f"{', '.join(missing)}: create a token with {'these scopes' if len(missing) > 1 else 'it'} "
        "in Settings → API tokens (a token's scopes cannot be changed).",
        "MISSING_SCOPES",
        errors=[
            {
                "message": "All of the following scopes are required.",
                "context": {"requiredGranularScopes": missing},
            }
        ],
    )
