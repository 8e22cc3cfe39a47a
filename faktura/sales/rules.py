"""Which changes to deals are allowed, and why not. Each check returns a Decision; the services
raise it, the API answers it as a 400 and the pages show it beside the form."""

from decimal import Decimal

from django.utils.translation import gettext as _

from faktura.core.errors import ALLOWED, Decision, refuse
from faktura.core.money import format_money


def can_set_deal_amount(
    name: str, amount: Decimal | None, *, lines_total: Decimal | None, currency: str
) -> Decision:
    """HubSpot lets integrations write a deal's amount, and recalculates it from the line items
    when the deal has some. Faktura keeps that: the amount of a deal with line items is their
    total, so another amount is refused with the reason rather than silently replaced.
    `lines_total` is None for a deal without line items."""
    if lines_total is None or amount == lines_total:
        return ALLOWED
    total = format_money(lines_total, currency)
    if amount is None:
        reason = _(
            "Deal '%(name)s' has line items, so its amount is their total (%(total)s) and "
            "cannot be cleared. Remove the line items first to leave the amount empty."
        ) % {"name": name, "total": total}
    else:
        reason = _(
            "Deal '%(name)s' has line items, so its amount is their total (%(total)s) and "
            "cannot be set to %(amount)s. Change the line items instead, or remove them to set "
            "the amount by hand."
        ) % {"name": name, "total": total, "amount": format_money(amount, currency)}
    return refuse(reason, "amount_follows_line_items")
