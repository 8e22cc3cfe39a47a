"""Who may connect Stripe and refund, and whether a refund is allowed (PAY-1, PAY-5)."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from faktura.accounts.permissions import can_edit_records, can_manage_settings
from faktura.core.actors import Actor
from faktura.core.errors import ALLOWED, Decision, refuse
from faktura.core.money import format_money
from faktura.payments.models import COLLECTED, Payment, Processor
from faktura.stripe_payments.models import REFUND_OUTSTANDING, StripeRefund


def can_manage_stripe(actor: Actor) -> Decision:
    """The Stripe keys move the account's money: super admins only."""
    if not (allowed := can_manage_settings(actor)):
        return refuse(
            _("Only a super admin can connect, change or disconnect Stripe."), "permission_denied"
        )
    return allowed


def pending_refunds(payment: Payment) -> Decimal:
    """Refunds asked of Stripe and not settled yet: they hold their amount."""
    total = StripeRefund.objects.filter(payment=payment, status__in=REFUND_OUTSTANDING).aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal(0)


def refundable(payment: Payment) -> Decimal:
    return max(payment.collected_amount - pending_refunds(payment), Decimal(0))


def can_refund(payment: Payment, actor: Actor, amount: Decimal | None = None) -> Decision:
    """A refund of an online Stripe payment that was collected, at most what is still held less
    refunds in progress (PAY-5). `amount` None: whether any refund is possible."""
    if not can_edit_records(actor):
        return refuse(_("Only editors and super admins can refund payments."), "permission_denied")
    if payment.processor != Processor.STRIPE:
        return refuse(
            _("Payment %(pk)s was recorded manually, so there is nothing to refund through "
            "Stripe. Return the money the way it came, then delete or adjust the payment.")
            % {"pk": payment.pk}, "not_online",
        )  # fmt: skip
    if payment.status not in COLLECTED:
        return refuse(
            _("Payment %(pk)s was not collected (%(status)s), so it cannot be refunded.")
            % {"pk": payment.pk, "status": payment.get_status_display()},
            "invalid_state",
        )
    from faktura.stripe_payments import connection  # the keys, not the models: no cycle

    if not connection.is_connected():
        return refuse(
            _("Stripe is not connected. A super admin connects it in Settings → Payments."),
            "not_connected",
        )
    left = refundable(payment)
    if left <= 0:
        pending = pending_refunds(payment)
        if pending:
            return refuse(
                _("Refunds of %(pending)s are still in progress and nothing more is left to "
                "refund.") % {"pending": format_money(pending, payment.currency)}, "invalid_amount",
            )  # fmt: skip
        return refuse(
            _("Payment %(pk)s is already fully refunded.") % {"pk": payment.pk}, "invalid_state"
        )
    if amount is not None and not Decimal(0) < amount <= left:
        return refuse(
            _("A refund must be more than zero and at most %(left)s, what is left of payment "
            "%(pk)s after refunds made or in progress.")
            % {"left": format_money(left, payment.currency), "pk": payment.pk}, "invalid_amount",
        )  # fmt: skip
    return ALLOWED
