"""Locales: how amounts and dates are written for the buyer (Babel, CLDR data), and how the
person using Faktura types and reads them (DOC-4).

Codes are BCP 47 tags ("en-US", "nb-NO"). Labels and wording stay English; the locale
decides number and date formats, currency symbols and their placement. An invoice has its own
locale (`invoice.locale`); staff pages use `people_locale()`, the signed-in person's, set for
each request by `faktura.accounts.locale_middleware`.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import parse_pattern
from django.utils import timezone

from faktura.core.errors import RuleViolation
from faktura.core.money import MAX_AMOUNT, minor_units, round_money

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


def language_of(locale: str) -> str:
    """The language a locale's labels are written in, as Django names it: "nb-NO" → "nb"."""
    return _locale(locale).language


def format_amount(amount: Decimal, currency: str, locale: str) -> str:
    """An amount as the locale writes it ("1.234,50 €"), with the currency's own decimals
    (ISO 4217, as Faktura rounds) rather than CLDR's, which differ for a few currencies."""
    pattern = parse_pattern(_locale(locale).currency_formats["standard"].pattern)
    digits = minor_units(currency)
    pattern.frac_prec = (digits, digits)
    return pattern.apply(round_money(amount, currency), _locale(locale), currency=currency,
                         currency_digits=False)  # fmt: skip


# The locale of the person a page is for; a callable so a page without numbers asks nothing.
# Outside a request (tasks, the API, the shell) numbers keep the en-US form.
_people_locale: ContextVar[Callable[[], str] | None] = ContextVar("people_locale", default=None)


def people_locale() -> str:
    """The locale the person served now types and reads amounts in (DOC-4)."""
    resolve = _people_locale.get()
    return resolve() if resolve is not None else DEFAULT_LOCALE


@contextmanager
def locale_for_people(locale: str | Callable[[], str]) -> Iterator[None]:
    """Amounts typed and shown inside the block are read and written in `locale`."""
    token = _people_locale.set(locale if callable(locale) else lambda: locale)
    try:
        yield
    finally:
        _people_locale.reset(token)


def format_number(
    number: Decimal | int, locale: str, *, grouped: bool = False, decimals: int = 0
) -> str:
    """A number as the locale writes it for a person, exactly, with at least `decimals`
    decimals and trailing zeros beyond them left out: "1 000,50" (grouped, 2 decimals) and
    "8,625" in nb-NO, "2" for 2.0000. Amounts are grouped; quantities and rates are not."""
    value = Decimal(number)
    exponent = value.normalize().as_tuple().exponent
    digits = max(-exponent if isinstance(exponent, int) else 0, decimals)
    return _written(value, locale, digits, grouped=grouped)


def number_for_input(
    number: Decimal | int, locale: str, *, grouped: bool = False, decimals: int = 0
) -> str:
    """`format_number` for a form field: digit groups with the space people type ("1 000,50"),
    which `read_amount` reads back to the same number."""
    text = format_number(number, locale, grouped=grouped, decimals=decimals)
    return "".join(" " if ch in _SPACE_GROUPS else ch for ch in text)


def format_money_for_people(amount: Decimal, currency: str) -> str:
    """An amount on a staff page: in the person's locale with the currency's decimals and its
    code, which tells currencies apart in a list of many ("1 000,50 NOK", "1,000.50 USD")."""
    digits = minor_units(currency)
    rounded = round_money(amount, currency)
    return f"{_written(rounded, people_locale(), digits, grouped=True)} {currency}"


def _written(value: Decimal, locale: str, digits: int, *, grouped: bool) -> str:
    code = _locale(locale)
    pattern = parse_pattern(code.decimal_formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    return pattern.apply(value, code, group_separator=grouped)


def format_day(day: dt.date | dt.datetime | None, locale: str) -> str:
    """A date as the locale writes it in medium length ("Nov 23, 2026", "23. nov. 2026")."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):  # a moment: the day it was in Faktura's time zone
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return format_date(day, format="medium", locale=_locale(locale))


def decimal_mark(locale: str) -> str:
    """The mark between whole and fraction in the locale's numbers: "," in nb-NO, "." in en."""
    return str(_locale(locale).number_symbols["latn"]["decimal"])


# Characters people type between digit groups in every locale: spaces of any width, apostrophes.
_SPACE_GROUPS = frozenset(" \u00a0\u202f\u2009'’")
_MINUS = "-−"


def amount_example(locale: str) -> str:
    """How the locale writes 1234.50 for a person to type: "1 234,50", "1,234.50"."""
    code = _locale(locale)
    group = code.number_symbols["latn"]["group"]
    group = " " if group in _SPACE_GROUPS else group
    return f"1{group}234{code.number_symbols['latn']['decimal']}50"


def read_amount(value: object, locale: str, *, field: str = "Amount") -> Decimal:
    """A number as a person types it in their locale ("1 000,50" in nb-NO, "1,000.50" in
    en-US); refuses exponents ("1e3") and anything ambiguous, naming the format expected.

    Spaces and apostrophes always group digits; the machine form "1000.50" is read in every
    locale unless it could be a thousands grouping there ("1.000" in nb-NO)."""
    text = str(value if value is not None else "").strip()
    symbols = _locale(locale).number_symbols["latn"]
    decimal = symbols["decimal"]
    other = "," if decimal == "." else "."  # the mark that is not this locale's decimal

    def refuse(why: str) -> RuleViolation:
        return RuleViolation(
            f"{field} '{text}' {why}. Write it as {locale_label(locale)} does, e.g. "
            f"{amount_example(locale)}.",
            code="invalid_number",
        )

    negative = text[:1] in tuple(_MINUS) and len(text) > 1
    body = "".join(ch for ch in text[1 if negative else 0 :] if ch not in _SPACE_GROUPS)
    if any(ch in "eE" for ch in body):
        raise refuse("uses exponent notation, which amounts do not accept")
    if not body or not all(ch in "0123456789.," for ch in body):
        raise refuse("is not a number")
    whole, _, fraction = body.partition(decimal)
    if other in whole:
        grouping = symbols["group"] == other
        if _looks_grouped(whole, other) and (grouping or fraction):  # "1,000.50", "1.000,50"
            whole = whole.replace(other, "")
        elif (
            other == "."
            and not fraction
            and whole.count(".") == 1
            and not _looks_grouped(whole, other)
        ):
            whole, fraction = whole.split(".")  # the machine form "1000.50", in any locale
        elif grouping:
            raise refuse(f"has '{other}' where digits are grouped in threes")
        else:
            raise refuse("is ambiguous")
    if not (whole + fraction).isdigit():
        raise refuse("is not a number")
    number = Decimal(f"{'-' if negative else ''}{whole or 0}{'.' + fraction if fraction else ''}")
    if abs(number) > MAX_AMOUNT:
        raise refuse("is too large")
    return number


def _looks_grouped(text: str, mark: str) -> bool:
    """Whether `mark` separates digit groups as thousands separators do: "1.000.000", and
    India's "1,00,000"."""
    head, *groups = text.split(mark)
    return (
        bool(groups)
        and 1 <= len(head) <= 3
        and len(groups[-1]) == 3
        and all(len(g) in (2, 3) for g in groups[:-1])
    )
