"""The sandbox's time: QBO answers in the company's time zone (the sample company's: California)."""

from __future__ import annotations

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

COMPANY_ZONE = ZoneInfo("America/Los_Angeles")


class Clock:
    """Wall time plus an offset the control endpoint can move forward (token expiry tests)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def company_now() -> datetime:
    return datetime.now(COMPANY_ZONE)


def company_today() -> date:
    return company_now().date()


def meta_time() -> str:
    """MetaData times: seconds and the company's offset, e.g. 2020-09-29T05:58:07-07:00."""
    return company_now().replace(microsecond=0).isoformat()


def qbo_time() -> str:
    """The "time" of an answer: milliseconds and the offset, e.g. 2020-09-29T05:58:07.300-07:00."""
    return company_now().isoformat(timespec="milliseconds")
