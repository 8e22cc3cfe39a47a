"""Forms of the product, deal and quote pages: their declared writable properties, and for a
new deal or quote the contact and company it starts with."""

from typing import Any

from django import forms

from faktura.core.money import CURRENCIES
from faktura.core.property_forms import PropertyForm
from faktura.crm.forms import limit_options, record_picker
from faktura.crm.models import Company, Contact
from faktura.crm.properties import COMPANY, CONTACT
from faktura.sales.models import Deal, Product, Quote
from faktura.sales.properties import DEAL, PRODUCT, QUOTE


def _currency_field() -> forms.ChoiceField:
    return forms.ChoiceField(label="Currency", choices=[(c, c) for c in sorted(CURRENCIES)])


def product_form(data: Any = None, product: Product | None = None) -> PropertyForm:
    return PropertyForm(data, object_type=PRODUCT, record=product)


class NewDocumentForm(PropertyForm):
    """A new deal or quote: its properties and the first contact and company on it."""

    contact = record_picker(
        CONTACT.unarchived(Contact.objects.order_by("first_name", "last_name", "id")),
        "Contact",
        "— No contact —",
    )
    company = record_picker(
        COMPANY.unarchived(Company.objects.order_by("name", "id")), "Company", "— No company —"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_options(self, "contact")
        limit_options(self, "company")

    def associations(self) -> dict[str, list[Any]]:
        contact, company = self.cleaned_data.get("contact"), self.cleaned_data.get("company")
        return {"contacts": [contact] if contact else [], "companies": [company] if company else []}


def deal_form(data: Any = None, deal: Deal | None = None, **kwargs: Any) -> PropertyForm:
    overrides = {"deal_currency_code": _currency_field()}
    form_class = PropertyForm if deal else NewDocumentForm
    return form_class(data, object_type=DEAL, record=deal, overrides=overrides, **kwargs)


def quote_form(data: Any = None, quote: Quote | None = None, **kwargs: Any) -> PropertyForm:
    overrides = {"hs_currency": _currency_field()}
    form_class = PropertyForm if quote else NewDocumentForm
    return form_class(data, object_type=QUOTE, record=quote, overrides=overrides, **kwargs)
