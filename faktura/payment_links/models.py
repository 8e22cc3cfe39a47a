"""Payment links (PAY-6): a public page selling fixed items; each buyer's attempt is a purchase."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from faktura.crm.models import Contact
from faktura.payments.models import Payment
from faktura.sales.models import Deal, Product
from faktura.sales.pricing import DiscountType, LineAmounts, line_amounts, totals


class PaymentLink(models.Model):
    """A link a user publishes; its items are copied from products when it is made, so a later
    product edit does not change what buyers are charged."""

    history_type = "payment_link"

    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    active = models.BooleanField(default=True)
    # How many payments the link takes; None: no limit.
    payment_limit = models.PositiveIntegerField(null=True, blank=True)
    # The public page's key (/l/<token>/): unguessable, never reused.
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/payments/links/{self.pk}/"

    def public_path(self) -> str:
        return f"/l/{self.token}/"

    @property
    def total(self) -> Decimal:
        return totals(item.amounts(self.currency) for item in self.items.all()).total


class PaymentLinkItem(models.Model):
    link = models.ForeignKey(PaymentLink, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(max_digits=18, decimal_places=4)
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal(0))

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="payment_link_item_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity.normalize():f} × {self.name}"

    def amounts(self, currency: str) -> LineAmounts:
        return line_amounts(
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount_type=DiscountType.PERCENT,
            discount_value=Decimal(0),
            tax_rate=self.tax_rate,
            currency=currency,
        )


class PurchaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    EXPIRED = "expired", _("Expired")


class Purchase(models.Model):
    """One buyer's attempt to pay a link: opened with a Stripe Checkout Session, completed once
    the payment arrives (the contact, deal and payment it made are kept here)."""

    link = models.ForeignKey(PaymentLink, on_delete=models.PROTECT, related_name="purchases")
    buyer_name = models.CharField(max_length=200)
    buyer_email = models.EmailField()
    amount = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=PurchaseStatus.choices, default=PurchaseStatus.OPEN
    )
    # The buyer's way back to the thank-you state: unguessable, like the link's token.
    token = models.CharField(max_length=64, unique=True)
    stripe_session_id = models.CharField(max_length=200, blank=True, db_index=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="link_purchase"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Purchase {self.pk} of {self.link}"
