"""Amounts in minor units, as Stripe takes them: the currencies it knows and their decimals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Stripe's zero-decimal and three-decimal currencies; every other one has two decimals.
ZERO_DECIMAL = frozenset({
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
})  # fmt: skip
THREE_DECIMAL = frozenset({
    "bhd", "jod", "kwd", "omr", "tnd",
})  # fmt: skip
CURRENCIES = frozenset({
    "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt",
    "bgn", "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf",
    "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp", "etb",
    "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl", "htg",
    "huf", "idr", "ils", "inr", "isk", "jmd", "jod", "jpy", "kes", "kgs", "khr", "kmf", "krw",
    "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd", "mmk",
    "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr",
    "nzd", "omr", "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub",
    "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sos", "srd", "std", "szl", "thb",
    "tjs", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "usd", "uyu", "uzs", "vnd",
    "vuv", "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar", "zmw",
})  # fmt: skip
# Checkout's smallest total: about 0.50 USD (Stripe's per-currency table, simplified).
MINIMUM = {"jpy": 50, "huf": 17500, "krw": 700}
# Stripe's largest amount: eight digits of minor units (999,999.99 EUR; 99,999,999 JPY).
MAXIMUM = 99_999_999
FEE_PERCENT = Decimal("0.029")
FEE_FIXED = 30


def decimals(currency: str) -> int:
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def minimum(currency: str) -> int:
    if currency in MINIMUM:
        return MINIMUM[currency]
    return 50 if decimals(currency) != 3 else 500


def fee(amount: int) -> int:
    """Card fees: 2.9 % of the amount, rounded half up, plus 30 minor units."""
    return int((Decimal(amount) * FEE_PERCENT).quantize(Decimal(1), ROUND_HALF_UP)) + FEE_FIXED


def display(amount: int, currency: str) -> str:
    """`1,234.50 EUR`, for the hosted page and error messages."""
    places = decimals(currency)
    value = Decimal(amount).scaleb(-places)
    return f"{value:,.{places}f} {currency.upper()}"
