"""The account's Stripe connection (PAY-1), the Checkout Sessions made for Faktura checkouts and
payment links (PAY-1, PAY-6), Stripe's webhook events as received (PAY-2), and refunds (PAY-5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from faktura.payments.models import Payment


class StripeConnection(models.Model):
    """One row (pk 1): the account's own Stripe account. Keys are stored encrypted
    (faktura.core.encryption); only `connection.py` reads or writes them."""

    history_type = "stripe_connection"

    secret_key = models.TextField(blank=True)
    # What the page shows of the key: "sk_test_…1234".
    key_hint = models.CharField(max_length=40, blank=True)
    webhook_secret = models.TextField(blank=True)
    webhook_endpoint_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    account_name = models.CharField(max_length=200, blank=True)
    livemode = models.BooleanField(default=False)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="one_stripe_connection")
        ]

    def __str__(self) -> str:
        return f"Stripe {self.account_name or self.account_id}"


class SessionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETE = "complete", _("Complete")
    EXPIRED = "expired", _("Expired")


class SessionOutcome(models.TextChoices):
    NONE = "", _("Not paid yet")
    PAID = "paid", _("Paid")
    # Paid for a checkout that had closed (INV-9): the payment is refunded (PAY-3).
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Failed")


class StripeCheckoutSession(models.Model):
    """One Stripe Checkout Session. `kind` names the completer that applies its payment
    ("invoice", "payment_link"); `reference` is what that completer knows it by (an invoice
    checkout's token)."""

    session_id = models.CharField(max_length=255, unique=True)
    url = models.URLField(max_length=2000, blank=True)
    kind = models.CharField(max_length=40)
    reference = models.CharField(max_length=200, db_index=True)
    checkout = models.OneToOneField(
        "invoices.Checkout",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="stripe_session",
    )
    amount = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    outcome = models.CharField(
        max_length=20, choices=SessionOutcome.choices, default=SessionOutcome.NONE, blank=True
    )
    # Why it was refunded or failed, for the buyer.
    outcome_message = models.TextField(blank=True)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Expiring it at Stripe after the checkout closed (PAY-3): attempts and what happened.
    expire_attempts = models.PositiveIntegerField(default=0)
    expire_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.session_id


class EventStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    APPLIED = "applied", _("Applied")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class WebhookEvent(models.Model):
    """A signed event from Stripe, stored before anything is done with it (PAY-2). A duplicate
    delivery finds this row and adds nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    object_id = models.CharField(max_length=255, blank=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=20, choices=EventStatus.choices, default=EventStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    deliveries = models.PositiveIntegerField(default=1)
    message = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


# A refund in these states still holds its amount against what can be refunded.
REFUND_OUTSTANDING = (RefundStatus.REQUESTED, RefundStatus.PENDING)


class StripeRefund(models.Model):
    """A refund of an online payment (PAY-5): created before Stripe is asked, its status follows
    Stripe's events, and only a succeeded one is recorded on the payment (`recorded`, once)."""

    history_type = "stripe_refund"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="stripe_refunds")
    amount = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3)
    reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # The Idempotency-Key of the create call (PAY-7).
    idempotency_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    # Made by Faktura for a checkout that had closed (PAY-3), or in Stripe's dashboard.
    automatic = models.BooleanField(default=False)
    from_dashboard = models.BooleanField(default=False)
    recorded = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="stripe_refund_positive")
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk} of payment {self.payment_id}"
