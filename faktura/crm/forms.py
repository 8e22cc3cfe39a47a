"""Forms of the contact and company pages, and record pickers other forms reuse."""

from typing import Any

from django import forms

from faktura.core.property_forms import PropertyForm, RecordChoiceField
from faktura.crm.models import Company, Contact
from faktura.crm.properties import COMPANY, CONTACT
from faktura.crm.queries import OPTIONS_SHOWN


def contact_form(data: Any = None, contact: Contact | None = None) -> PropertyForm:
    return PropertyForm(data, object_type=CONTACT, record=contact)


def company_form(data: Any = None, company: Company | None = None) -> PropertyForm:
    return PropertyForm(data, object_type=COMPANY, record=company)


def record_picker(queryset: Any, label: str, empty_label: str, **attrs: str) -> RecordChoiceField:
    """An optional select of records; `limit_options` keeps its list short."""
    return RecordChoiceField(
        queryset=queryset,
        required=False,
        label=label,
        empty_label=empty_label,
        widget=forms.Select(attrs=attrs),
    )


def limit_options(form: forms.BaseForm, name: str) -> None:
    """Render the first records (and the chosen one); the field still accepts any record."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    queryset: Any = field.queryset
    chosen = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    pk = getattr(chosen, "pk", chosen)
    shown = list(queryset[:OPTIONS_SHOWN])
    if pk and str(pk).isdigit() and all(o.pk != int(pk) for o in shown):
        shown[:0] = list(queryset.filter(pk=pk))
    field.widget.choices = [
        ("", field.empty_label or "—"),
        *((o.pk, field.label_from_instance(o)) for o in shown),
    ]
