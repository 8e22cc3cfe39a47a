"""Invoice locales: amounts and dates as each locale writes them, with Faktura's decimals."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faktura.core.errors import RuleViolation
from faktura.core.locales import (
    INVOICE_LOCALES,
    amount_example,
    format_amount,
    format_day,
    format_money_for_people,
    format_number,
    locale_for_people,
    normalize_locale,
    number_for_input,
    people_locale,
    read_amount,
)
from faktura.core.money import MAX_AMOUNT


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        ("1234.5", "USD", "en-US", "$1,234.50"),
        ("1234.5", "NOK", "nb-NO", "1 234,50 kr"),
        ("1234.5", "EUR", "fi-FI", "1 234,50 €"),
        ("1234.5", "EUR", "de-DE", "1.234,50 €"),
        ("-99.99", "GBP", "en-GB", "-£99.99"),
        ("1234", "JPY", "ja-JP", "￥1,234"),
        # CLDR writes IQD without decimals; ISO 4217, which Faktura rounds to, has three.
        ("1234.5", "IQD", "en-US", "IQD1,234.500"),
        ("0.005", "USD", "en-US", "$0.01"),  # rounded half away from zero, as stored
    ],
)
def test_amounts_follow_the_locale_and_the_currency_decimals(amount, currency, locale, shown):
    assert format_amount(Decimal(amount), currency, locale).replace("\xa0", " ") == shown


def test_dates_follow_the_locale():
    day = dt.date(2026, 11, 23)
    assert format_day(day, "en-US") == "Nov 23, 2026"
    assert format_day(day, "nb-NO") == "23. nov. 2026"
    assert format_day(day, "fi-FI") == "23.11.2026"
    assert format_day(None, "en-US") == ""


def test_moments_are_written_as_the_day_they_were_in_faktura_time_zone(settings):
    settings.TIME_ZONE = "Europe/Oslo"
    late_evening_utc = dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC)
    assert format_day(late_evening_utc, "en-GB") == "24 Nov 2026"


@pytest.mark.parametrize("given", ["nb-NO", "nb_NO", " nb_no ", "NB-no"])
def test_locale_codes_are_accepted_in_any_case_and_separator(given):
    assert normalize_locale(given) == "nb-NO"


@pytest.mark.parametrize(
    ("given", "phrase"),
    [
        ("zu-ZA", r"Zulu \(South Africa\) is not offered"),
        ("norwegian", "Use a language-region code such as en-US"),
        ("", "Unknown invoice locale ''"),
    ],
)
def test_unknown_locales_are_refused_with_the_offered_ones(given, phrase):
    with pytest.raises(RuleViolation, match=phrase) as refused:
        normalize_locale(given)
    assert "fi-FI" in refused.value.reason


def test_every_offered_locale_formats_amounts_and_dates():
    for code in INVOICE_LOCALES:
        assert "1" in format_amount(Decimal("1.00"), "EUR", code)
        assert "2026" in format_day(dt.date(2026, 1, 2), code)


# SPEC DOC-4
@pytest.mark.parametrize(
    ("typed", "locale", "amount"),
    [
        ("5 000", "nb-NO", "5000"),
        ("1 000,50", "nb-NO", "1000.50"),
        ("1\u00a0000,50", "fi-FI", "1000.50"),
        ("1.000,50", "nb-NO", "1000.50"),
        ("1000.50", "nb-NO", "1000.50"),  # the machine form, typed by habit
        ("−1 000,5", "fi-FI", "-1000.5"),
        ("1,000.50", "en-US", "1000.50"),
        ("1000", "en-US", "1000"),
        (".5", "en-US", "0.5"),
        ("1.000", "de-DE", "1000"),
        ("1000.50", "de-DE", "1000.50"),
        ("1'000.50", "de-CH", "1000.50"),
        ("1,00,000.50", "en-IN", "100000.50"),
    ],
)
def test_amounts_are_read_as_the_locale_writes_them(typed, locale, amount):
    assert read_amount(typed, locale) == Decimal(amount)


# SPEC DOC-4
@pytest.mark.parametrize(
    ("typed", "locale", "phrase"),
    [
        ("1e3", "en-US", "exponent notation"),
        ("1E3", "nb-NO", "exponent notation"),
        ("1.000", "nb-NO", "is ambiguous"),  # a thousand, or one?
        ("12,5", "en-US", "grouped in threes"),
        ("1,000,50", "nb-NO", "is not a number"),
        ("abc", "en-US", "is not a number"),
        ("", "nb-NO", "is not a number"),
        ("-", "en-US", "is not a number"),
        ("١٢", "en-US", "is not a number"),
        ("9" * 20, "en-US", "too large"),
    ],
)
def test_unreadable_amounts_are_refused_with_the_format_expected(typed, locale, phrase):
    with pytest.raises(RuleViolation) as refused:
        read_amount(typed, locale, field="Amount")
    assert phrase in refused.value.reason
    assert f"e.g. {amount_example(locale)}" in refused.value.reason


def test_the_format_example_follows_the_locale():
    assert amount_example("nb-NO") == "1 234,50"
    assert amount_example("en-US") == "1,234.50"
    assert amount_example("de-DE") == "1.234,50"


# --- what a person reads and types: their own locale (DOC-4) ---------------------------------


# SPEC DOC-4
@pytest.mark.parametrize(
    ("number", "locale", "grouped", "decimals", "written"),
    [
        ("1000.5000", "nb-NO", True, 2, "1 000,50"),
        ("1000.5000", "fi-FI", True, 2, "1 000,50"),
        ("1000.5000", "en-US", True, 2, "1,000.50"),
        ("12345.6789", "nb-NO", True, 2, "12 345,6789"),  # exact: a price may have 4 decimals
        ("-1234567", "de-DE", True, 2, "-1.234.567,00"),
        ("5000", "nb-NO", True, 0, "5 000"),
        ("8.6250", "nb-NO", False, 0, "8,625"),
        ("2.0000", "nb-NO", False, 0, "2"),
        ("1500", "en-US", False, 0, "1500"),
    ],
)
def test_numbers_are_written_exactly_in_the_persons_locale(
    number, locale, grouped, decimals, written
):
    shown = format_number(Decimal(number), locale, grouped=grouped, decimals=decimals)
    assert shown.replace("\xa0", " ") == written


# SPEC DOC-4
def test_an_input_shows_the_space_people_type_and_reads_back_the_same_number():
    assert number_for_input(Decimal("1000.50"), "nb-NO", grouped=True, decimals=2) == "1 000,50"
    assert number_for_input(Decimal("1000.50"), "de-CH", grouped=True) == "1 000.5"


# SPEC DOC-4
@settings(max_examples=300, deadline=None)
@given(
    number=st.decimals(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, places=4),
    locale=st.sampled_from(INVOICE_LOCALES),
    grouped=st.booleans(),
    decimals=st.integers(min_value=0, max_value=4),
)
def test_every_number_shown_in_an_input_reads_back_exactly(number, locale, grouped, decimals):
    shown = number_for_input(number, locale, grouped=grouped, decimals=decimals)
    assert read_amount(shown, locale) == number


# SPEC DOC-4
def test_staff_pages_write_money_in_the_persons_locale_with_the_currency_code():
    amount = Decimal("1234.5")
    assert format_money_for_people(amount, "NOK") == "1,234.50 NOK"  # outside a request
    with locale_for_people("nb-NO"):
        assert people_locale() == "nb-NO"
        assert format_money_for_people(amount, "NOK") == "1\xa0234,50 NOK"
        assert format_money_for_people(amount, "JPY") == "1\xa0235 JPY"  # the currency's decimals
        with locale_for_people(lambda: "en-GB"):
            assert format_money_for_people(amount, "GBP") == "1,234.50 GBP"
        assert people_locale() == "nb-NO"
    assert people_locale() == "en-US"
