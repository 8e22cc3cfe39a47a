"""Payment records exist on their own; invoices apply them (INV-11..14)."""

from decimal import Decimal

from django.db import models

from faktura.crm.models import Contact
from faktura.sales.models import Deal


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    ACH = "ach", "ACH"
    CASH = "cash", "Cash"
    CHECK = "check", "Check"
    WIRE_TRANSFER = "wire_transfer", "Wire / bank transfer"
    SEPA = "sepa", "SEPA"
    OTHER = "other", "Other"


class Processor(models.TextChoices):
    NONE = "none", "None (recorded manually)"
    STRIPE = "byo_stripe", "Stripe"


class PaymentStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"


# Statuses in which the money reached the account (less any refunds).
COLLECTED = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


class Payment(models.Model):
    amount = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3)
    paid_on = models.DateField()
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    processor = models.CharField(max_length=20, choices=Processor.choices, default=Processor.NONE)
    processor_payment_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.SUCCEEDED
    )
    fees_amount = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    refunded_amount = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    customer_email = models.EmailField(blank=True, db_index=True)
    # The deal the payment closed (a payment link's "Payment Link" deal, PAY-6); None for most.
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["amount"], name="payment_amount"),
            # The payments index page's default sort, with the id as tie-breaker.
            models.Index(fields=["paid_on", "id"], name="payment_paid_on_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__gte=0, refunded_amount__lte=models.F("amount")),
                name="payment_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(processor="none") | models.Q(processor_payment_id__isnull=False),
                name="online_payment_has_processor_id",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk}: {self.amount} {self.currency}"

    def get_absolute_url(self) -> str:
        return f"/payments/{self.pk}/"

    @property
    def is_online(self) -> bool:
        return self.processor != Processor.NONE

    @property
    def collected_amount(self) -> Decimal:
        """What this payment contributes to a balance: the amount less refunds, once collected."""
        if self.status not in COLLECTED:
            return Decimal(0)
        return self.amount - self.refunded_amount
