"""Form fields for what people type: numbers as their locale writes them, and business dates
inside the window Faktura accepts (DOC-4). A refusal shows beside its field with the reason."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from faktura.core.dates import check_business_date
from faktura.core.errors import RuleViolation
from faktura.core.locales import number_for_input, people_locale, read_amount


class LocalizedDecimalField(forms.DecimalField):
    """A number typed as the person's locale writes it ("1 000,50" in nb-NO, "1,000.50" in
    en-US) and shown back the same way; "1e3" and ambiguous input are refused with the format
    expected. `money` shows digit groups and at least two decimals."""

    widget = forms.TextInput

    def __init__(self, *, money: bool = False, **kwargs: Any) -> None:
        self.money = money
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # A text input: a number input refuses the spaces and commas people type.
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    # django-stubs types DecimalField.to_python as IntegerField's.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return Decimal(value)
        try:
            return read_amount(value, people_locale(), field=str(self.label or "The number"))
        except RuleViolation as refusal:
            raise ValidationError(refusal.reason, code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            decimals = 2 if self.money else 0
            return number_for_input(value, people_locale(), grouped=self.money, decimals=decimals)
        return value


class BusinessDateField(forms.DateField):
    """The date of an invoice, payment, deal or quote: one outside the window Faktura accepts
    (a mistyped year) is refused here, as the service would refuse it."""

    def validate(self, value: dt.date | None) -> None:
        super().validate(value)
        if value is not None:
            try:
                check_business_date(value, field=str(self.label or "The date"))
            except RuleViolation as refusal:
                raise ValidationError(refusal.reason, code="invalid_date") from None
