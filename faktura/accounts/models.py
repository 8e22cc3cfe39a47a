from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    SUPER_ADMIN = "super_admin", "Super admin"
    EDITOR = "editor", "User with invoice edit permission"
    VIEWER = "viewer", "View only"


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    # How amounts and dates are typed and shown to this user (BCP 47, faktura.core.locales);
    # empty: the account's invoice locale (accounts.services.user_locale).
    locale = models.CharField(max_length=16, blank=True)

    @property
    def full_name(self) -> str:
        return self.get_full_name() or self.username


class PaymentTerms(models.TextChoices):
    DUE_ON_RECEIPT = "due_on_receipt", "Due on receipt"
    NET_15 = "net_15", "Net 15"
    NET_30 = "net_30", "Net 30"
    NET_45 = "net_45", "Net 45"
    NET_60 = "net_60", "Net 60"
    CUSTOM = "custom", "Custom due date"

    @property
    def days(self) -> int | None:
        """Days from invoice date to due date; None for a custom date."""
        return {"due_on_receipt": 0, "net_15": 15, "net_30": 30, "net_45": 45, "net_60": 60}.get(
            self.value
        )


class AccountSettings(models.Model):
    """The account's settings: one row (pk=1), edited by super admins."""

    allow_editing_finalized_invoices = models.BooleanField(default=False)
    allow_deleting_invoices = models.BooleanField(default=False)
    invoice_number_prefix = models.CharField(max_length=20, default="INV-", blank=True)
    default_from_email = models.EmailField(blank=True)
    allow_personal_from_addresses = models.BooleanField(default=False)
    company_name = models.CharField(max_length=200, default="My Company")
    company_address = models.TextField(blank=True)
    company_country = models.CharField(max_length=2, default="US")
    # The seller's tax ID printed on invoices; new invoices take it as their hs_tax_id.
    company_tax_id = models.CharField(max_length=100, blank=True)
    # Printed on invoices under "Payment details" (DOC-1 freezes them on each issued invoice).
    company_bank_account = models.CharField(max_length=200, blank=True)
    payment_instructions = models.TextField(blank=True)
    # A validated PNG or JPEG (faktura.accounts.logo), kept in the database with the settings.
    company_logo = models.BinaryField(blank=True, default=b"")
    company_logo_type = models.CharField(max_length=20, blank=True)
    # BCP 47 code new invoices take for their amounts and dates (faktura.core.locales).
    invoice_locale = models.CharField(max_length=16, default="en-US")
    # Empty: links use the address Faktura is served at (accounts.services.invoice_link_base).
    invoice_public_domain = models.CharField(max_length=200, blank=True, default="")
    default_currency = models.CharField(max_length=3, default="USD")
    default_payment_terms = models.CharField(
        max_length=20, choices=PaymentTerms.choices, default=PaymentTerms.NET_30
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "account settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="one_account_settings")
        ]

    def __str__(self) -> str:
        return f"Settings for {self.company_name}"
