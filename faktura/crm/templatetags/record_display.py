"""Template filters of the record pages: amounts in their currency."""

from decimal import Decimal

from django import template

from faktura.core.money import CURRENCIES, format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """`{{ invoice.total|money:invoice.currency }}` → "1,250.00 USD"."""
    if amount is None:
        return "—"
    if currency not in CURRENCIES:
        return f"{amount:,.2f} {currency}".strip()
    return format_money(amount, currency)
