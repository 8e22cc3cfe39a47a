"""Intuit's limits per company, held across every process and machine (QB-12): at most 500
requests in any minute, at most 10 at once, and nothing at all while a 429 asks to wait.

A token bucket in the database: it holds at most BURST requests and refills at
(500 − BURST) a minute, so no 60-second window can see more than 500. A request takes a token
and a leased slot in one short transaction, calls QuickBooks outside it, and frees the slot
(`with company_budget(realm):`). A killed process's slot frees itself when its lease ends."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from faktura.quickbooks.errors import QuickBooksError
from faktura.quickbooks.models import CallSlot, CompanyBudget

PER_MINUTE = 500
CONCURRENT = 10
BURST = 25
# After a 429 without Retry-After Intuit asks to wait a minute.
THROTTLED_PAUSE = 60.0
SLOT_POLL = 0.05


@dataclass(frozen=True)
class Limits:
    per_minute: int = PER_MINUTE
    concurrent: int = CONCURRENT
    burst: int = BURST

    @property
    def refill_per_second(self) -> float:
        return (self.per_minute - self.burst) / 60


def current_limits() -> Limits:
    per_minute = settings.QUICKBOOKS_REQUESTS_PER_MINUTE
    return Limits(
        per_minute=per_minute,
        concurrent=settings.QUICKBOOKS_CONCURRENT_REQUESTS,
        burst=min(BURST, max(1, per_minute // 20)),
    )


def _lease_seconds() -> float:
    return float(settings.QUICKBOOKS_TIMEOUT) + 15


def _take(realm_id: str, holder: str, limits: Limits) -> float:
    """Take a token and a slot: 0.0 when taken, else the seconds to wait before trying again."""
    with transaction.atomic():
        now = time.time()
        budget = CompanyBudget.objects.select_for_update().filter(realm_id=realm_id).first()
        if budget is None:
            try:
                with transaction.atomic():
                    budget = CompanyBudget.objects.create(
                        realm_id=realm_id, tokens=limits.burst, tokens_at=now
                    )
            except IntegrityError:  # another process made it first
                budget = CompanyBudget.objects.select_for_update().get(realm_id=realm_id)
        if budget.paused_until > now:
            return budget.paused_until - now
        tokens = min(
            float(limits.burst),
            budget.tokens + (now - budget.tokens_at) * limits.refill_per_second,
        )
        if tokens < 1:
            return (1 - tokens) / limits.refill_per_second
        CallSlot.objects.filter(realm_id=realm_id, lease_until__lt=now).delete()
        if CallSlot.objects.filter(realm_id=realm_id).count() >= limits.concurrent:
            return SLOT_POLL
        CallSlot.objects.create(
            realm_id=realm_id, holder=holder, lease_until=now + _lease_seconds()
        )
        budget.tokens = tokens - 1
        budget.tokens_at = now
        budget.save(update_fields=["tokens", "tokens_at"])
        return 0.0


@contextmanager
def company_budget(realm_id: str, *, max_wait: float) -> Iterator[None]:
    """Wait (at most `max_wait` seconds) for the company's budget to allow one request, hold a
    slot while it runs. Raises a retryable QuickBooksError (with retry_after) when the wait
    would be longer: a workflow step then comes back later instead of holding a worker."""
    holder = uuid.uuid4().hex
    limits = current_limits()
    deadline = time.monotonic() + max_wait
    while True:
        wait = _take(realm_id, holder, limits)
        if not wait:
            break
        if time.monotonic() + wait > deadline:
            raise QuickBooksError(
                _("QuickBooks' request limit for this company is reached for now; Faktura will "
                "try again in %(seconds)d seconds.") % {"seconds": max(1, round(wait))},
                retryable=True, retry_after=wait,
            )  # fmt: skip
        time.sleep(wait)
    try:
        yield
    finally:
        CallSlot.objects.filter(holder=holder).delete()


def pause_company(realm_id: str, seconds: float | None) -> None:
    """QuickBooks throttled this company: send it nothing for `seconds` (a minute when it did
    not say), from any process."""
    until = time.time() + (seconds if seconds is not None else THROTTLED_PAUSE)
    with transaction.atomic():
        budget = CompanyBudget.objects.select_for_update().filter(realm_id=realm_id).first()
        if budget is None:
            return
        budget.paused_until = max(budget.paused_until, until)
        budget.tokens = 0
        budget.tokens_at = time.time()
        budget.throttled_count += 1
        budget.save(update_fields=["paused_until", "tokens", "tokens_at", "throttled_count"])
