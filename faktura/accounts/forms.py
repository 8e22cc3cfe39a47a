"""The settings page's form: field types and labels; the rules stay in services."""

from typing import Any

from django import forms

from faktura.accounts.logo import MAX_LOGO_BYTES
from faktura.accounts.models import AccountSettings
from faktura.core.forms import StyledModelForm
from faktura.core.locales import locale_choices


class AccountSettingsForm(StyledModelForm):
    invoice_locale = forms.ChoiceField(
        label="Invoice language and region",
        choices=locale_choices,
        help_text="How new invoices write amounts and dates for the buyer, e.g. 1 234,50 kr.",
    )
    logo = forms.FileField(
        required=False,
        label="Company logo",
        help_text=f"PNG or JPEG, at most {MAX_LOGO_BYTES // 1024} KB; shown on invoices.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")
    field_order = [
        "company_name",
        "company_address",
        "company_country",
        "company_tax_id",
        "logo",
        "company_bank_account",
        "payment_instructions",
    ]

    class Meta:
        model = AccountSettings
        fields = [
            "company_name",
            "company_address",
            "company_country",
            "company_tax_id",
            "company_bank_account",
            "payment_instructions",
            "invoice_locale",
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
            "company_tax_id": "Company tax ID",
            "company_bank_account": "Bank account",
            "invoice_public_domain": "Domain of invoice links",
            "allow_personal_from_addresses": "Let users send from their personal or team addresses",
            "allow_editing_finalized_invoices": "Allow editing finalized invoices",
            "allow_deleting_invoices": "Allow deleting invoices",
        }
        help_texts = {
            "invoice_public_domain": "Base URL buyers open invoices at, e.g. "
            "https://billing.example.com. Empty: the address Faktura is served at.",
            "company_bank_account": "Printed under Payment details, e.g. IBAN NO93 8601 1117 947, "
            "BIC DNBANOKK.",
            "payment_instructions": "Printed under Payment details, e.g. how to reference the "
            "invoice when paying.",
            "invoice_number_prefix": "Put before each invoice number, e.g. INV-.",
            "company_country": "Two-letter ISO code, e.g. US or NO.",
            "company_tax_id": "Printed on invoices, e.g. NO 923 456 789 MVA; new invoices "
            "start with it.",
        }
        widgets = {
            "company_address": forms.Textarea(attrs={"rows": 3}),
            "payment_instructions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.company_logo:
            del self.fields["remove_logo"]

    def changes(self) -> dict[str, Any]:
        """The settings to save: the logo's bytes when one was uploaded, b"" to remove it."""
        data = dict(self.cleaned_data)
        upload, remove = data.pop("logo"), data.pop("remove_logo", False)
        if remove:
            data["company_logo"] = b""
        elif upload is not None:
            # One byte over the limit is enough for the service to say the file is too big.
            data["company_logo"] = upload.read(MAX_LOGO_BYTES + 1)
        return data
