"""Invoice locales: how amounts and dates are written for the buyer (Babel, CLDR data).

Codes are BCP 47 tags ("en-US", "nb-NO"). Labels and wording stay English; the locale
decides number and date formats, currency symbols and their placement.
"""

import datetime as dt
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import parse_pattern
from django.utils import timezone

from faktura.core.errors import RuleViolation
from faktura.core.money import minor_units, round_money

DEFAULT_LOCALE = "en-US"
INVOICE_LOCALES = (
    "en-US", "en-GB", "en-CA", "en-AU", "en-IE", "en-IN",
    "nb-NO", "nn-NO", "fi-FI", "sv-FI", "sv-SE", "da-DK", "is-IS",
    "de-DE", "de-AT", "de-CH", "fr-FR", "fr-BE", "fr-CA", "fr-CH", "nl-NL", "nl-BE",
    "es-ES", "es-MX", "it-IT", "pt-PT", "pt-BR", "pl-PL", "cs-CZ", "et-EE", "lv-LV", "lt-LT",
    "ja-JP", "zh-CN", "ko-KR", "ar-AE", "he-IL",
)  # fmt: skip


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code, sep="-")


@cache
def locale_label(code: str) -> str:
    """ "Norwegian Bokmål (Norway)": the locale's name in English, for pickers."""
    return _locale(code).get_display_name("en") or code


def locale_choices() -> list[tuple[str, str]]:
    return sorted(((code, locale_label(code)) for code in INVOICE_LOCALES), key=lambda c: c[1])


def normalize_locale(value: object) -> str:
    """A supported locale code from "nb-NO", "nb_no", " NB-no "; refuses anything else."""
    text = str(value or "").strip().replace("_", "-")
    by_lower = {code.lower(): code for code in INVOICE_LOCALES}
    code = by_lower.get(text.lower())
    if code is None:
        try:
            known = _locale(text) if text else None
        except (ValueError, UnknownLocaleError):
            known = None
        hint = f" ({known.get_display_name('en')} is not offered)" if known else ""
        raise RuleViolation(
            f"Unknown invoice locale '{value}'{hint}. Use a language-region code such as "
            f"en-US, en-GB, nb-NO or fi-FI; offered: {', '.join(INVOICE_LOCALES)}.",
            code="invalid_locale",
        )
    return code


def format_amount(amount: Decimal, currency: str, locale: str) -> str:
    """An amount as the locale writes it ("1.234,50 €"), with the currency's own decimals
    (ISO 4217, as Faktura rounds) rather than CLDR's, which differ for a few currencies."""
    pattern = parse_pattern(_locale(locale).currency_formats["standard"].pattern)
    digits = minor_units(currency)
    pattern.frac_prec = (digits, digits)
    return pattern.apply(round_money(amount, currency), _locale(locale), currency=currency,
                         currency_digits=False)  # fmt: skip


def format_day(day: dt.date | dt.datetime | None, locale: str) -> str:
    """A date as the locale writes it in medium length ("Nov 23, 2026", "23. nov. 2026")."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):  # a moment: the day it was in Faktura's time zone
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return format_date(day, format="medium", locale=_locale(locale))
