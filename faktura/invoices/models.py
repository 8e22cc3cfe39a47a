"""Invoices, their lines, applied payments, the buyer's checkouts and the number counter."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from faktura.accounts.models import PaymentTerms
from faktura.crm.models import Company, Contact
from faktura.payments.models import Payment
from faktura.sales.models import Deal, PricedLine, Quote

ZERO = Decimal(0)


def money_field(**kwargs: Any) -> models.DecimalField:
    return models.DecimalField(max_digits=18, decimal_places=4, default=ZERO, **kwargs)


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    PAID = "paid", "Paid"
    VOIDED = "voided", "Voided"


class PaymentState(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"


class Invoice(models.Model):
    status = models.CharField(
        max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    # Assigned at finalization from the counter (INV-5, INV-22); drafts have none.
    number_seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    number = models.CharField(max_length=40, null=True, blank=True, unique=True)
    public_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    currency = models.CharField(max_length=3)
    invoice_date = models.DateField()
    due_date = models.DateField()
    payment_terms = models.CharField(
        max_length=20, choices=PaymentTerms.choices, default=PaymentTerms.NET_30
    )
    comments = models.TextField(blank=True)
    footer = models.TextField(blank=True)
    purchase_order_number = models.CharField(max_length=100, blank=True)
    tax_id = models.CharField(max_length=100, blank=True)
    # How the buyer's copy writes amounts and dates (faktura.core.locales); English wording.
    locale = models.CharField(max_length=16, default="en-US")
    from_subscription = models.BooleanField(default=False)
    # The one company billed (DOC-2): one of `companies`, the oldest by default; the billing
    # contact is the first of `contacts`. Neither is set when the invoice has none.
    billed_company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The issued document (DOC-1): the seller and buyer as printed, frozen at finalization and
    # changed only by an edit under INV-6 (faktura.invoices.issued). Empty on drafts.
    seller_name = models.CharField(max_length=200, blank=True)
    seller_address = models.TextField(blank=True)
    seller_bank_account = models.CharField(max_length=200, blank=True)
    seller_payment_instructions = models.TextField(blank=True)
    seller_logo = models.ForeignKey(
        "IssuedLogo", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_contact_name = models.CharField(max_length=200, blank=True)
    buyer_email = models.CharField(max_length=254, blank=True)
    buyer_street = models.CharField(max_length=200, blank=True)
    buyer_zip = models.CharField(max_length=20, blank=True)
    buyer_city = models.CharField(max_length=100, blank=True)
    buyer_country = models.CharField(max_length=100, blank=True)
    buyer_tax_id = models.CharField(max_length=50, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacts = models.ManyToManyField(Contact, through="InvoiceContact", related_name="invoices")
    companies = models.ManyToManyField(Company, blank=True, related_name="invoices")
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    # Totals follow the lines; amount_paid follows the applied payments. Both are recomputed
    # from their sources by the services on every change, never adjusted by hand (ADR 0001).
    subtotal = money_field()
    total_discount = money_field()
    total_tax = money_field()
    total = money_field()
    amount_paid = money_field()
    balance_due = money_field()
    finalized_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="invoice_status_due"),
            models.Index(fields=["-created_at", "-id"], name="invoice_created"),
            # Index pages sort by these with the id as tie-breaker (keyset paging).
            models.Index(fields=["due_date", "id"], name="invoice_due_id"),
            models.Index(fields=["invoice_date", "id"], name="invoice_date_id"),
            models.Index(fields=["total", "id"], name="invoice_total_id"),
            # By number: the unique index on number_seq, and on PostgreSQL also
            # invoice_number_desc for last-first with drafts last (migration 0009).
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status="draft", number_seq__isnull=True, public_token__isnull=True
                )
                | (
                    ~models.Q(status="draft")
                    & models.Q(number_seq__isnull=False, public_token__isnull=False)
                ),
                name="invoice_number_iff_finalized",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_paid__gte=0), name="invoice_paid_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(balance_due__gte=0), name="invoice_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft invoice {self.pk}"

    def get_absolute_url(self) -> str:
        return f"/invoices/{self.pk}/"

    def contacts_in_order(self) -> models.QuerySet[Contact]:
        """The first is the billing contact."""
        return self.contacts.order_by("invoicecontact__position", "invoicecontact__id")

    @property
    def is_finalized(self) -> bool:
        return self.status != InvoiceStatus.DRAFT

    @property
    def payment_state(self) -> PaymentState:
        if self.amount_paid <= 0:
            return PaymentState.UNPAID
        if self.amount_paid < self.total:
            return PaymentState.PARTIALLY_PAID
        return PaymentState.PAID

    def owed(self) -> Decimal:
        """The balance due from its sources: the total less payments; nothing once voided
        (DOC-3). Services store it in `balance_due` on every change."""
        return ZERO if self.status == InvoiceStatus.VOIDED else self.total - self.amount_paid

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == InvoiceStatus.OPEN and self.due_date < (today or timezone.localdate())

    def days_overdue(self, today: dt.date | None = None) -> int:
        today = today or timezone.localdate()
        return (today - self.due_date).days if self.is_overdue(today) else 0


class IssuedLogo(models.Model):
    """A logo as printed on issued invoices, stored once per distinct image (by its SHA-256)."""

    digest = models.CharField(max_length=64, unique=True)
    content = models.BinaryField()
    content_type = models.CharField(max_length=20)

    def __str__(self) -> str:
        return f"Logo {self.digest[:12]}"


class InvoiceContact(models.Model):
    """Ordered association: the oldest contact is the invoice's billing contact."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "contact"], name="unique_invoice_contact")
        ]


class InvoiceLine(PricedLine):
    """The invoice's own copy of a line: later changes to a product or deal do not reach it.

    The computed amounts are stored so the buyer's document never changes after finalizing.
    """

    id = models.BigIntegerField(primary_key=True)  # drawn from sales.LineNumber (ADR 0006)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    amount = money_field()
    discount_amount = money_field()
    tax_amount = money_field()
    total = money_field()


class InvoicePayment(models.Model):
    """A payment record applied to an invoice; a payment pays at most one invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="applied_payments")
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="invoice_application"
    )
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["applied_at", "id"]


class CheckoutStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class Checkout(models.Model):
    """A buyer's payment session for one invoice amount (INV-9)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="checkouts")
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN
    )
    amount = money_field()
    currency = models.CharField(max_length=3)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class InvoiceNumberCounter(models.Model):
    """One row: the last invoice number handed out. Only numbering.py touches it."""

    last_number = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="one_invoice_counter")]


class InvoiceDocument(models.Model):
    """The stored PDF of a finalized invoice as it is now; `version` is a hash of what it shows,
    so a change that shows on the PDF (an edit, a payment, voiding) makes it stale."""

    invoice = models.OneToOneField(Invoice, on_delete=models.CASCADE, related_name="document")
    version = models.CharField(max_length=64)
    content = models.BinaryField(blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # The last background rendering's failure, kept for people to read.
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"PDF of {self.invoice}"
