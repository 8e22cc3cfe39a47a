"""Sign-in throttling with django-axes (issue 13): after `AXES_FAILURE_LIMIT` failed sign-ins for
one username, or `FAKTURA_LOGIN_ADDRESS_FAILURE_LIMIT` from one client address, within
`AXES_COOLOFF_TIME`, sign-ins for it are refused — the right password too — until the cool-off
passes, a super admin unlocks the user in Settings → Users (`faktura.team.services.unlock_user`),
or the address is cleared with `manage.py axes_reset_ip`.

Axes counts failures in its AccessAttempt rows (one per username, address and browser); this
module reads them for the lockout page and the Users page, and clears a user's rows."""

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext


def _threshold() -> dt.datetime:
    return timezone.now() - (get_cool_off() or dt.timedelta(0))


def _failures(**match: str | None) -> int:
    recent = AccessAttempt.objects.filter(attempt_time__gte=_threshold(), **match)
    return int(recent.aggregate(total=Sum("failures_since_start"))["total"] or 0)


def address_locked(address: str | None) -> bool:
    return _failures(ip_address=address) >= settings.FAKTURA_LOGIN_ADDRESS_FAILURE_LIMIT


class ThrottlingHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for an address: axes compares one count
    with one limit, so an address's failures are scaled to the username limit (reaching
    FAKTURA_LOGIN_ADDRESS_FAILURE_LIMIT counts as reaching AXES_FAILURE_LIMIT)."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        limit = settings.AXES_FAILURE_LIMIT
        by_username = _failures(username=get_client_username(request, credentials))
        by_address = _failures(ip_address=getattr(request, "axes_ip_address", None))
        return max(by_username, by_address * limit // settings.FAKTURA_LOGIN_ADDRESS_FAILURE_LIMIT)


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of these usernames have reached the failure limit within the cool-off."""
    limit = settings.AXES_FAILURE_LIMIT
    counts = (
        AccessAttempt.objects.filter(username__in=list(usernames), attempt_time__gte=_threshold())
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
    )
    return {row["username"] for row in counts if row["failures"] >= limit}


def clear_username(username: str) -> int:
    """Forget the failed sign-ins for this username (from every address); how many rows went."""
    return int(AxesProxyHandler.reset_attempts(username=username))


def minutes_left(username: str | None, address: str | None) -> int:
    """Whole minutes (at least 1) until the latest counted failure of this username or address
    leaves the cool-off window."""
    latest = AccessAttempt.objects.filter(
        Q(username=username) | Q(ip_address=address), attempt_time__gte=_threshold()
    ).aggregate(latest=Max("attempt_time"))["latest"]
    cool_off = get_cool_off() or dt.timedelta(0)
    if latest is None:
        return max(1, math.ceil(cool_off.total_seconds() / 60))
    left = latest + cool_off - timezone.now()
    return max(1, math.ceil(left.total_seconds() / 60))


def lockout_message(minutes: int, *, by_address: bool = False) -> str:
    if by_address:
        # A super admin cannot unlock an address on the Users page: it may be their own too.
        return ngettext(
            "Too many failed sign-ins came from your network address. Try again in %(minutes)d "
            "minute, or ask whoever runs Faktura to clear the address (manage.py axes_reset_ip).",
            "Too many failed sign-ins came from your network address. Try again in %(minutes)d "
            "minutes, or ask whoever runs Faktura to clear the address (manage.py axes_reset_ip).",
            minutes,
        ) % {"minutes": minutes}
    return ngettext(
        "Too many failed sign-ins for this account. Try again in %(minutes)d minute, or ask a "
        "super admin to unlock it in Settings → Users.",
        "Too many failed sign-ins for this account. Try again in %(minutes)d minutes, or ask a "
        "super admin to unlock it in Settings → Users.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Axes' AXES_LOCKOUT_CALLABLE: the login page again, with why and for how long (429)."""
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None)
    form = AuthenticationForm(request, initial={"username": username or ""})
    context = {
        "form": form,
        "lockout": lockout_message(
            minutes_left(username, address),
            by_address=_failures(username=username) < settings.AXES_FAILURE_LIMIT
            and address_locked(address),
        ),
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


def forget_failures_on_sign_in(sender: object, request: HttpRequest, user: Any, **kws: Any) -> None:
    """A successful sign-in clears that username's failures only: the address's failures on
    other accounts keep counting (axes' own reset would clear the address too, so anyone with
    one working account could keep guessing others from the same address)."""
    clear_username(user.get_username())
