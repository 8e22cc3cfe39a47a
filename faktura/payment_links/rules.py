"""Who may make and change payment links, and when a buyer may pay one (PAY-6). Each check
returns a Decision; services raise it, pages show its reason."""

from django.utils.translation import gettext as _

from faktura.accounts.permissions import can_edit_records
from faktura.core.actors import Actor
from faktura.core.errors import ALLOWED, Decision, refuse
from faktura.payment_links.models import PaymentLink


def can_manage_links(actor: Actor) -> Decision:
    """As products: everyone but view-only users makes and changes links."""
    return can_edit_records(actor)


def can_take_payment(link: PaymentLink, payments_made: int) -> Decision:
    """A new buyer may start paying while the link is active and below its limit. A payment
    already under way still completes after the limit is reached: the money came."""
    if not link.active:
        return refuse(
            _("This payment link is no longer active. Contact the seller for another way to pay."),
            "inactive",
        )
    if link.payment_limit is not None and payments_made >= link.payment_limit:
        return refuse(
            _(
                "This payment link has reached its limit of %(limit)s payments and takes no "
                "more. Contact the seller for another way to pay."
            )
            % {"limit": link.payment_limit},
            "limit_reached",
        )
    return ALLOWED
