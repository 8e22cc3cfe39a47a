"""The settings page's form: field types and labels; the rules stay in services."""

from django import forms

from faktura.accounts.models import AccountSettings
from faktura.core.forms import StyledModelForm


class AccountSettingsForm(StyledModelForm):
    class Meta:
        model = AccountSettings
        fields = [
            "company_name",
            "company_address",
            "company_country",
            "invoice_public_domain",
            "invoice_number_prefix",
            "default_currency",
            "default_payment_terms",
            "default_from_email",
            "allow_personal_from_addresses",
            "allow_editing_finalized_invoices",
            "allow_deleting_invoices",
        ]
        labels = {
            "invoice_public_domain": "Domain of invoice links",
            "allow_personal_from_addresses": "Let users send from their personal or team addresses",
            "allow_editing_finalized_invoices": "Allow editing finalized invoices",
            "allow_deleting_invoices": "Allow deleting invoices",
        }
        help_texts = {
            "invoice_public_domain": "Base URL buyers open invoices at, e.g. https://billing.example.com.",
            "invoice_number_prefix": "Put before each invoice number, e.g. INV-.",
            "company_country": "Two-letter ISO code, e.g. US or NO.",
        }
        widgets = {"company_address": forms.Textarea(attrs={"rows": 3})}
