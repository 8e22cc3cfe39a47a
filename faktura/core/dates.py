"""The dates Faktura takes for its business records: invoice and due dates, payment dates,
close and expiration dates. A year mistyped ("1900", "2206") is refused, not stored (DOC-4)."""

import datetime as dt

from django.utils import timezone

from faktura.core.errors import RuleViolation

EARLIEST_DATE = dt.date(2000, 1, 1)
YEARS_AHEAD = 10


def latest_date(today: dt.date | None = None) -> dt.date:
    """The last day of the year ten years from now."""
    return dt.date((today or timezone.localdate()).year + YEARS_AHEAD, 12, 31)


def check_business_date(day: dt.date, *, field: str) -> dt.date:
    """The day, when it lies in the window of dates Faktura accepts; refused with the window."""
    latest = latest_date()
    if not EARLIEST_DATE <= day <= latest:
        raise RuleViolation(
            f"{field} {day.isoformat()} is outside the dates Faktura accepts "
            f"({EARLIEST_DATE.isoformat()} to {latest.isoformat()}). Check the year.",
            code="invalid_date",
        )
    return day
