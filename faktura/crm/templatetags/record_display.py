"""Template filters of the record pages: amounts in their currency, in the person's locale."""

from decimal import Decimal

from django import template

from faktura.core.locales import format_money_for_people, format_number, people_locale
from faktura.core.money import CURRENCIES
from faktura.core.money import plain as plain_number

register = template.Library()


@register.filter
def plain(number: Decimal | None) -> str:
    """`{{ line.quantity|plain }}` → "10", "2.5" (Decimal.normalize would say "1E+1")."""
    return "" if number is None else plain_number(number)


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """`{{ invoice.total|money:invoice.currency }}` → "1,250.00 USD" ("1 250,00 USD" in nb-NO)."""
    if amount is None:
        return "—"
    if currency not in CURRENCIES:
        number = format_number(amount, people_locale(), grouped=True, decimals=2)
        return f"{number} {currency}".strip()
    return format_money_for_people(amount, currency)
