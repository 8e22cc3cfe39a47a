"""The window of dates Faktura accepts for invoices, payments, deals and quotes (DOC-4)."""

import datetime as dt

import pytest

from faktura.core.dates import check_business_date, latest_date
from faktura.core.errors import RuleViolation


def test_the_window_runs_from_2000_to_the_end_of_the_year_ten_years_ahead():
    assert latest_date(dt.date(2026, 12, 5)) == dt.date(2036, 12, 31)
    for day in (dt.date(2000, 1, 1), dt.date(2026, 2, 28), latest_date()):
        assert check_business_date(day, field="Invoice date") == day


# SPEC DOC-4
@pytest.mark.parametrize(
    "day", [dt.date(1900, 1, 1), dt.date(1999, 12, 31), latest_date() + dt.timedelta(days=1)]
)
def test_a_mistyped_year_is_refused_with_the_window(day):
    with pytest.raises(RuleViolation) as refused:
        check_business_date(day, field="Payment date")
    assert refused.value.code == "invalid_date"
    assert refused.value.reason == (
        f"Payment date {day.isoformat()} is outside the dates Faktura accepts "
        f"(2000-01-01 to {latest_date().isoformat()}). Check the year."
    )
