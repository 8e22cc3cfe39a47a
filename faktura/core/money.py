"""Money: Decimal only, rounded per currency (ISO 4217 minor units), half away from zero."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from faktura.core.errors import RuleViolation

# Currencies whose minor unit is not 2 decimals; every other known code uses 2.
_MINOR_UNITS_EXCEPTIONS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}  # fmt: skip

CURRENCIES = frozenset(
    [
        "AED",
        "ARS",
        "AUD",
        "BGN",
        "BHD",
        "BIF",
        "BRL",
        "CAD",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CZK",
        "DJF",
        "DKK",
        "EGP",
        "EUR",
        "GBP",
        "GNF",
        "HKD",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "ISK",
        "JOD",
        "JPY",
        "KES",
        "KMF",
        "KRW",
        "KWD",
        "LYD",
        "MAD",
        "MXN",
        "MYR",
        "NGN",
        "NOK",
        "NZD",
        "OMR",
        "PEN",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SEK",
        "SGD",
        "THB",
        "TND",
        "TRY",
        "TWD",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
        "ZAR",
    ]
)

# Upper bound for any single amount: keeps every sum inside the database columns.
MAX_AMOUNT = Decimal("999999999999.99")


def minor_units(currency: str) -> int:
    return _MINOR_UNITS_EXCEPTIONS.get(currency, 2)


def normalize_currency(code: str) -> str:
    currency = (code or "").strip().upper()
    if currency not in CURRENCIES:
        raise RuleViolation(
            f"'{code}' is not a supported currency. "
            "Use a three-letter ISO 4217 code such as USD, EUR or NOK.",
            code="invalid_currency",
        )
    return currency


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit; 0.5 goes away from zero, as on paper invoices."""
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def to_decimal(value: object, *, field: str) -> Decimal:
    """Parse user input (str, int or Decimal; never float) into a finite Decimal."""
    if isinstance(value, float):
        raise RuleViolation(
            f"{field} was given as a floating-point number ({value!r}), which cannot hold cents "
            "exactly. Pass it as text or Decimal, e.g. '12.30'.",
            code="invalid_number",
        )
    try:
        number = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise RuleViolation(f"{field} must be a number, got '{value}'.", code="invalid_number")
    if written_with_exponent(value, number):
        raise exponent_refused(field, value)
    if abs(number) > MAX_AMOUNT:
        raise RuleViolation(f"{field} {number} is too large.", code="invalid_number")
    return number


def written_with_exponent(value: object, number: Decimal) -> bool:
    """Whether a number was written as "1e3": in text, or as the Decimal('1E+3') that reading
    such text (pydantic, the API) gives: a Decimal read from plain digits never has a positive
    exponent."""
    exponent = number.as_tuple().exponent
    positive = isinstance(exponent, int) and exponent > 0
    return (isinstance(value, str) and "e" in value.lower()) or (
        isinstance(value, Decimal) and positive
    )


def exponent_refused(field: str, value: object) -> RuleViolation:
    return RuleViolation(
        f"{field} '{value}' uses exponent notation; write the number out, e.g. '1000'.",
        code="invalid_number",
    )


def parse_amount(value: object, currency: str, *, field: str = "Amount") -> Decimal:
    """A money amount in `currency`: refuses more decimals than the currency has."""
    number = to_decimal(value, field=field)
    if number != round_money(number, currency):
        raise RuleViolation(
            f"{field} {number} has more decimals than {currency} allows ({minor_units(currency)}).",
            code="invalid_amount",
        )
    return round_money(number, currency)


def plain(number: Decimal) -> str:
    """A Decimal without trailing zeros or exponent: 100.0000 → "100", 37.5300 → "37.53"."""
    return format(number.normalize(), "f") if number else "0"


def format_money(amount: Decimal, currency: str) -> str:
    return f"{round_money(amount, currency):,.{minor_units(currency)}f} {currency}"


def currency_of(record: object) -> str | None:
    """The currency a record's amounts are in, when it has a known one."""
    currency = getattr(record, "currency", None)
    return currency if isinstance(currency, str) and currency in CURRENCIES else None
