"""Forms of the invoice pages: details, payments, owner (line items: sales.line_forms).

Forms only shape input for the services; every rule is checked by the service they call.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from faktura.accounts.models import PaymentTerms, User
from faktura.core.form_fields import BusinessDateField, LocalizedDecimalField
from faktura.core.forms import StyledForm
from faktura.core.locales import locale_choices
from faktura.core.money import CURRENCIES, round_money
from faktura.crm.models import Company, Contact
from faktura.crm.properties import COMPANY, CONTACT
from faktura.invoices.models import Invoice
from faktura.payments.models import PaymentMethod

# Choice lists render at most this many records; a search box narrows them down.
OPTIONS_SHOWN = 200

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InvoiceDetailsForm(StyledForm):
    """The invoice's own fields; currency only while it is a draft."""

    currency = forms.ChoiceField(choices=[(c, c) for c in sorted(CURRENCIES)])
    invoice_date = BusinessDateField(label="Invoice date", widget=_DATE)
    payment_terms = forms.ChoiceField(choices=PaymentTerms.choices)
    due_date = BusinessDateField(
        label="Due date",
        required=False,
        widget=_DATE,
        help_text="Follows the payment terms; a date of your own makes the terms custom.",
    )
    purchase_order_number = forms.CharField(
        required=False, max_length=100, label="Purchase order number"
    )
    tax_id = forms.CharField(required=False, max_length=100, label="Tax ID")
    locale = forms.ChoiceField(
        required=False,  # left out, the invoice keeps its locale
        choices=locale_choices,
        label="Language and region",
        help_text="How amounts and dates are written for the buyer.",
    )
    comments = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    footer = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, invoice: Invoice | None = None, **kwargs: Any) -> None:
        if invoice is not None:
            kwargs.setdefault(
                "initial",
                {
                    "currency": invoice.currency,
                    "invoice_date": invoice.invoice_date,
                    "payment_terms": invoice.payment_terms,
                    "due_date": invoice.due_date,
                    "purchase_order_number": invoice.purchase_order_number,
                    "tax_id": invoice.tax_id,
                    "locale": invoice.locale,
                    "comments": invoice.comments,
                    "footer": invoice.footer,
                },
            )
        super().__init__(*args, **kwargs)
        if invoice is not None and invoice.is_finalized:
            self.fields["currency"].disabled = True
            self.fields["currency"].help_text = "The currency of a finalized invoice is fixed."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("payment_terms") == PaymentTerms.CUSTOM and not data.get("due_date"):
            self.add_error("due_date", "Choose a due date for custom payment terms.")
        return data

    def values(self) -> dict[str, Any]:
        """Property values for the services; the due date only when the user set one."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            "hs_invoice_date": data["invoice_date"],
            "hs_payment_terms": data["payment_terms"],
            "hs_purchase_order_number": data["purchase_order_number"],
            "hs_tax_id": data["tax_id"],
            "hs_comments": data["comments"],
            "hs_invoice_footer": data["footer"],
        }
        if data.get("locale"):
            values["hs_locale"] = data["locale"]
        if not self.fields["currency"].disabled:
            values["hs_currency"] = data["currency"]
        custom = data["payment_terms"] == PaymentTerms.CUSTOM
        if data.get("due_date") and (custom or "due_date" in self.changed_data):
            values["hs_due_date"] = data["due_date"]
        return values


def limit_options(field: forms.ModelChoiceField[Any], chosen: Any = None) -> None:
    """Render the first records (and the chosen one); the field still accepts any record."""
    queryset: QuerySet[Any] = field.queryset  # type: ignore[assignment]
    shown = list(queryset[:OPTIONS_SHOWN])
    if chosen is not None and chosen not in shown:
        shown.insert(0, chosen)
    field.widget.choices = [("", field.empty_label or "—"), *((o.pk, str(o)) for o in shown)]


class NewInvoiceForm(InvoiceDetailsForm):
    contact = forms.ModelChoiceField(
        queryset=CONTACT.unarchived(Contact.objects.order_by("first_name", "last_name", "id")),
        required=False,
        label="Bill to (contact)",
        empty_label="— No contact yet —",
    )
    company = forms.ModelChoiceField(
        queryset=COMPANY.unarchived(Company.objects.order_by("name", "id")),
        required=False,
        label="Company",
        empty_label="— No company —",
    )
    field_order = ["contact", "company"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("contact", "company"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            chosen = None
            pk = self.data.get(name) if self.is_bound else self.initial.get(name)
            if pk and str(pk).isdigit():
                chosen = field.queryset.filter(pk=pk).first()  # type: ignore[union-attr]
            limit_options(field, chosen)


class PaymentForm(StyledForm):
    amount = LocalizedDecimalField(money=True)
    paid_on = BusinessDateField(label="Payment date", widget=_DATE)
    method = forms.ChoiceField(choices=PaymentMethod.choices, label="Payment method")
    reference = forms.CharField(required=False, max_length=200)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, invoice: Invoice, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "amount": round_money(invoice.balance_due, invoice.currency),
                "paid_on": timezone.localdate(),
                "method": PaymentMethod.WIRE_TRANSFER,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"Amount ({invoice.currency})"


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class OwnerForm(StyledForm):
    owner = UserChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name", "id"),
        required=False,
        empty_label="— No owner —",
        label="Invoice owner",
    )


class SendInvoiceForm(StyledForm):
    """The Send dialog (INV-28): the rules are checked by `sending.send_invoice`."""

    to = forms.CharField(
        label="To",
        max_length=254,
        widget=forms.TextInput(attrs={"list": "send-contacts", "autocomplete": "off"}),
        help_text="Pick a contact or type an address; a new address becomes a contact.",
    )
    cc = forms.CharField(
        label="CC",
        required=False,
        widget=forms.TextInput(attrs={"list": "send-contacts", "autocomplete": "off"}),
        help_text="Up to 9 addresses, separated by commas.",
    )
    from_address = forms.ChoiceField(label="From")
    subject = forms.CharField(max_length=300)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 7}))

    def __init__(self, *args: Any, from_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from_field = self.fields["from_address"]
        assert isinstance(from_field, forms.ChoiceField)
        from_field.choices = from_choices
        if len(from_choices) == 1:
            from_field.help_text = "Set by the invoice settings."
