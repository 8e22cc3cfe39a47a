"""Forms derived from declared properties: one field per writable property of an object type.

The declaration says what a field is (label, type, options); the model field adds its limits
(required, length, digits, email) so most mistakes are shown beside their field before a
service sees them. Numbers are typed and shown in the person's locale, and read into the
canonical Decimal the services take. The services still check every rule.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.db import models

from faktura.core.form_fields import BusinessDateField, LocalizedDecimalField
from faktura.core.forms import PlainNewlines, style_widgets
from faktura.core.properties import ObjectType, Property, PropertyType
from faktura.core.references import record_name

DATE_WIDGET_FORMAT = "%Y-%m-%d"


def is_writable(prop: Property) -> bool:
    """A value a user sets directly: not computed, not read-only, one field of the record."""
    return (
        not prop.read_only
        and prop.compute is None
        and prop.field is not None
        and "__" not in prop.field
    )


def writable_properties(object_type: ObjectType) -> list[Property]:
    return [p for p in object_type.properties if is_writable(p)]


def model_field_of(model: type[models.Model], prop: Property) -> models.Field[Any, Any] | None:
    for field in model._meta.concrete_fields:
        if prop.field in (field.name, field.attname):
            return field
    return None


class RecordChoiceField(forms.ModelChoiceField[models.Model]):
    """Records by the name a person knows them by (a user's full name, a contact's name)."""

    def label_from_instance(self, obj: models.Model) -> str:
        return record_name(obj)


def _related_choices(field: models.ForeignKey[Any, Any], label: str) -> forms.Field:
    related: type[models.Model] = field.related_model
    queryset = related._default_manager.all()
    if any(f.name == "is_active" for f in related._meta.concrete_fields):
        queryset = queryset.filter(is_active=True)
    if not related._meta.ordering:
        queryset = queryset.order_by("pk")
    return RecordChoiceField(
        queryset=queryset,
        required=not field.blank,
        label=label,
        empty_label=f"— No {label.lower()} —",
    )


def field_for(prop: Property, model: type[models.Model]) -> forms.Field:
    """The form field of one property: its declared type, with the model field's limits."""
    model_field = model_field_of(model, prop)
    required = model_field is not None and not model_field.blank
    common: dict[str, Any] = {"label": prop.label, "help_text": prop.description}
    if isinstance(model_field, models.ForeignKey):
        return _related_choices(model_field, prop.label)
    match prop.type:
        case PropertyType.NUMBER:
            limits: dict[str, Any] = {}
            if isinstance(model_field, models.DecimalField):
                limits = {
                    "max_digits": model_field.max_digits,
                    "decimal_places": model_field.decimal_places,
                }
            return LocalizedDecimalField(required=required, money=prop.money, **limits, **common)
        case PropertyType.ENUMERATION:
            choices = [(o.value, o.label) for o in prop.options]
            if not required:
                choices.insert(0, ("", "—"))
            return forms.ChoiceField(choices=choices, required=required, **common)
        case PropertyType.BOOL:
            return forms.BooleanField(required=False, **common)
        case PropertyType.DATE:
            return BusinessDateField(
                required=required,
                widget=forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT),
                **common,
            )
        case PropertyType.DATETIME:
            return forms.DateTimeField(
                required=required,
                widget=forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                ),
                **common,
            )
        case _:
            max_length = getattr(model_field, "max_length", None)
            if isinstance(model_field, models.EmailField):
                return forms.EmailField(required=required, max_length=max_length, **common)
            if isinstance(model_field, models.TextField):
                return forms.CharField(
                    required=required, widget=forms.Textarea(attrs={"rows": 3}), **common
                )
            return forms.CharField(required=required, max_length=max_length, **common)


class PropertyForm(PlainNewlines, forms.Form):
    """The writable properties of one object type, for a new record or an existing one.

    `overrides` replaces the derived field of a property (e.g. a currency list for a text
    property); forms that need more (contacts, lines) add their own fields beside these.
    """

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        object_type: ObjectType,
        record: models.Model | None = None,
        overrides: Mapping[str, forms.Field] | None = None,
        exclude: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        self.object_type = object_type
        self.record = record
        excluded = set(exclude)
        self.properties = {
            p.name: p for p in writable_properties(object_type) if p.name not in excluded
        }
        initial = dict(kwargs.pop("initial", None) or {})
        model = object_type.model
        for name, prop in self.properties.items():
            if record is not None:
                initial.setdefault(name, prop.read(record))
            elif (
                (model_field := model_field_of(model, prop)) is not None
                and model_field.has_default()
                and not isinstance(model_field, models.ForeignKey)
            ):
                initial.setdefault(name, model_field.get_default())
        super().__init__(data, initial=initial, **kwargs)
        derived = {
            name: (overrides or {}).get(name) or field_for(prop, model)
            for name, prop in self.properties.items()
        }
        # Property fields first, in declaration order; fields a subclass declared follow.
        self.fields = {**derived, **self.fields}
        style_widgets(self)

    def values(self) -> dict[str, Any]:
        """Property values for a service: all of them for a new record, only the changed ones
        for an existing record (so a concurrent change to another field is not overwritten)."""
        values: dict[str, Any] = {}
        for name, prop in self.properties.items():
            if self.record is not None and name not in self.changed_data:
                continue
            value = self.cleaned_data.get(name)
            if isinstance(value, models.Model):
                value = value.pk
            if value is None and prop.type == PropertyType.STRING:
                value = ""
            values[name] = value
        return values

    def property_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.properties]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.properties]
