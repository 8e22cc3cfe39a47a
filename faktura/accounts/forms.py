"""The settings page's and the profile page's forms: field types and labels; the rules stay in
services."""

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from faktura.accounts.logo import MAX_LOGO_BYTES
from faktura.accounts.models import AccountSettings, User
from faktura.accounts.services import PROFILE_FIELDS
from faktura.core.forms import StyledForm, StyledModelForm
from faktura.core.locales import amount_example, locale_choices, locale_label


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


class ProfileForm(StyledForm):
    """A person's own profile; the rules stay in `services.update_profile`."""

    first_name = forms.CharField(label=gettext_lazy("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), required=False, max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email address"), required=False)
    locale = forms.ChoiceField(
        label=gettext_lazy("Number and date format"),
        required=False,
        help_text=gettext_lazy(
            "How you type and read amounts in Faktura. Invoices keep their own language and "
            "region for the buyer."
        ),
    )

    def __init__(self, *args: Any, user: User, account_locale: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(user, name) for name in PROFILE_FIELDS})
        super().__init__(*args, **kwargs)
        locale = self.fields["locale"]
        assert isinstance(locale, forms.ChoiceField)
        same = gettext("Same as the account: %(locale)s") % {
            "locale": _with_example(account_locale, locale_label(account_locale))
        }
        locale.choices = [("", same)] + [
            (code, _with_example(code, label)) for code, label in locale_choices()
        ]


def _with_example(code: str, label: str) -> str:
    return f"{label} · {amount_example(code)}"
