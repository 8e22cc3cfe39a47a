"""Rate limits per client address for pages anyone may open without signing in (the buyer
page): over the limit, a 429 page in the normal layout says when to try again, with Retry-After.

Counted by `faktura.core.ratelimit` in `AddressRateWindow`, one row per scope and address;
rows of windows that ended long ago are pruned when a window starts, so addresses that come
once do not pile up."""

import functools
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from faktura.core import ratelimit
from faktura.core.client_address import client_network
from faktura.core.models import AddressRateWindow

PRUNE_AFTER_SECONDS = 24 * 60 * 60

View = Callable[..., HttpResponse]


def wait_for(request: HttpRequest, scope: str, setting: str) -> float | None:
    """Count this request against the limit named by `setting`; None when within it, otherwise
    the seconds until the address may try again."""
    limit = ratelimit.parse_rate_limit(str(getattr(settings, setting)), setting=setting)
    if limit is None:
        return None
    now = time.time()
    key = f"{scope}:{client_network(request)}"
    wait = ratelimit.count_request(AddressRateWindow, key, limit, now=now)
    if wait is None and now - int(now // limit.seconds) * limit.seconds < 1:
        # About once per window (its first second): forget addresses idle for a day.
        AddressRateWindow.objects.filter(window_start__lt=now - PRUNE_AFTER_SECONDS).delete()
    return wait


def too_many_requests(request: HttpRequest, wait: float) -> HttpResponse:
    seconds = max(1, math.ceil(wait))
    message = ngettext(
        "Too many requests came from your address in a short time. Try again in %(count)d second.",
        "Too many requests came from your address in a short time. Try again in %(count)d seconds.",
        seconds,
    ) % {"count": seconds}
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def limit_by_address(scope: str, setting: str) -> Callable[[View], View]:
    """Decorate a view so each client address gets at most the limit in `setting`."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if (wait := wait_for(request, scope, setting)) is not None:
                return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return limited

    return decorate
