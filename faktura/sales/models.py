from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from faktura.core.money import plain
from faktura.crm.models import Company, Contact
from faktura.sales.pricing import DiscountType, LineAmounts, line_amounts


class Product(models.Model):
    """An entry in the product library; line items copy from it."""

    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=100, blank=True, db_index=True)
    description = models.TextField(blank=True)
    unit_price = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal(0))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When it was archived (soft-deleted, restorable); None while active. See history.records.
    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/products/{self.pk}/"


class DealStage(models.TextChoices):
    APPOINTMENT = "appointmentscheduled", "Appointment scheduled"
    QUALIFIED = "qualifiedtobuy", "Qualified to buy"
    PRESENTATION = "presentationscheduled", "Presentation scheduled"
    DECISION = "decisionmakerboughtin", "Decision maker bought-in"
    CONTRACT = "contractsent", "Contract sent"
    WON = "closedwon", "Closed won"
    LOST = "closedlost", "Closed lost"


class Deal(models.Model):
    name = models.CharField(max_length=200)
    stage = models.CharField(
        max_length=40, choices=DealStage.choices, default=DealStage.APPOINTMENT
    )
    close_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    # What the deal is worth: as given while it has no line items, else their total (kept by
    # sales.services.set_line_items). Empty until someone gives it.
    amount = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacts = models.ManyToManyField(Contact, through="DealContact", related_name="deals")
    companies = models.ManyToManyField(Company, blank=True, related_name="deals")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When it was archived (soft-deleted, restorable); None while active. See history.records.
    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/deals/{self.pk}/"

    def contacts_in_order(self) -> models.QuerySet[Contact]:
        return self.contacts.order_by("dealcontact__created_at", "dealcontact__id")


class ContactAssociation(models.Model):
    """A contact tied to a deal or quote, in creation order: the oldest is the primary contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class DealContact(ContactAssociation):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE)

    class Meta(ContactAssociation.Meta):
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact"], name="unique_deal_contact")
        ]


class QuoteStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft"
    PENDING_APPROVAL = "PENDING_APPROVAL", "Pending approval"
    APPROVED = "APPROVAL_NOT_NEEDED", "Published"
    REJECTED = "REJECTED", "Rejected"


class Quote(models.Model):
    title = models.CharField(max_length=200)
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    status = models.CharField(max_length=30, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    expiration_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    esign_completed_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacts = models.ManyToManyField(Contact, through="QuoteContact", related_name="quotes")
    companies = models.ManyToManyField(Company, blank=True, related_name="quotes")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When it was archived (soft-deleted, restorable); None while active. See history.records.
    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/quotes/{self.pk}/"

    def contacts_in_order(self) -> models.QuerySet[Contact]:
        return self.contacts.order_by("quotecontact__created_at", "quotecontact__id")


class QuoteContact(ContactAssociation):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE)

    class Meta(ContactAssociation.Meta):
        constraints = [
            models.UniqueConstraint(fields=["quote", "contact"], name="unique_quote_contact")
        ]


class PricedLine(models.Model):
    """The fields of one priced line: a deal's or quote's line item, or an invoice's own line."""

    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    description = models.TextField(blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal(1))
    unit_price = models.DecimalField(max_digits=18, decimal_places=4)
    discount_type = models.CharField(
        max_length=10, choices=DiscountType.choices, default=DiscountType.PERCENT
    )
    discount_value = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal(0))

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{plain(self.quantity)} × {self.name}"

    def describe(self) -> str:
        """One line as a person reads it in history and change summaries."""
        text = f"{plain(self.quantity)} × {self.name} @ {plain(self.unit_price)}"
        if self.discount_value:
            unit = "%" if self.discount_type == DiscountType.PERCENT else ""
            text += f" −{plain(self.discount_value)}{unit}"
        if self.tax_rate:
            text += f" +{plain(self.tax_rate)}% tax"
        return text

    def amounts(self, currency: str) -> LineAmounts:
        return line_amounts(
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount_type=self.discount_type,
            discount_value=self.discount_value,
            tax_rate=self.tax_rate,
            currency=currency,
        )


class LineNumberManager(models.Manager["LineNumber"]):
    def draw(self, count: int) -> list[int]:
        """`count` fresh line ids. The rows go again at once: the counter never reuses a number
        (AUTOINCREMENT on SQLite, a sequence on PostgreSQL), so the table stays empty."""
        if count <= 0:
            return []
        drawn = self.bulk_create([LineNumber() for _ in range(count)])
        numbers = [number.pk for number in drawn]
        self.filter(pk__in=numbers).delete()
        return numbers


class LineNumber(models.Model):
    """The one counter every line's id comes from, deal, quote or invoice (ADR 0006)."""

    id = models.BigAutoField(primary_key=True)

    objects = LineNumberManager()


class LineItem(PricedLine):
    """A line on a deal or on a quote, or on nothing yet (made through the API and waiting to be
    associated); invoices keep their own copies. Its id is drawn from LineNumber (ADR 0006)."""

    id = models.BigIntegerField(primary_key=True)
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="line_items"
    )
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.CASCADE, related_name="line_items"
    )

    class Meta(PricedLine.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deal__isnull=True) | models.Q(quote__isnull=True),
                name="line_item_has_at_most_one_parent",
            )
        ]
