"""The line-item rows of the deal, quote and invoice forms: product picker, quantity, price,
discount and tax per line. Rows only shape input; `clean_lines` checks every rule."""

from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms.formsets import BaseFormSet

from faktura.core.form_fields import LocalizedDecimalField
from faktura.core.forms import StyledForm
from faktura.core.locales import number_for_input, people_locale
from faktura.sales.lines import MAX_LINES
from faktura.sales.models import PricedLine, Product
from faktura.sales.pricing import DiscountType
from faktura.sales.properties import PRODUCT


def _number(label: str, *, money: bool = False, **attrs: Any) -> LocalizedDecimalField:
    """A number typed in the person's locale ("1 000,50"); `line_input` hands it on canonical."""
    return LocalizedDecimalField(
        required=False,
        label=label,
        money=money,
        widget=forms.TextInput(attrs={"aria-label": label, **attrs}),
    )


def with_added_line(data: Any) -> Any:
    """The posted form with one more empty row (the "Add line" button without JavaScript)."""
    data = data.copy()
    total = data.get("lines-TOTAL_FORMS", "0")
    rows = int(total) if total.isdigit() else 0
    data["lines-TOTAL_FORMS"] = str(min(rows + 1, MAX_LINES))  # no row past the limit
    return data


class ProductSelect(forms.Select):
    """Each product option carries its name, price and tax rate for the line's JS hook."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        product = getattr(option["value"], "instance", None)
        if isinstance(product, Product):
            locale = people_locale()  # the line's JS hook types them into the inputs
            option["attrs"].update(
                {
                    "data-name": product.name,
                    "data-price": number_for_input(
                        product.unit_price, locale, grouped=True, decimals=2
                    ),
                    "data-tax": number_for_input(product.tax_rate, locale),
                }
            )
        return option


class ProductChoiceField(forms.ModelChoiceField[Product]):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.name} (archived)" if PRODUCT.archived_at(obj) else obj.name


def pickable_products(kept: Collection[int] = ()) -> QuerySet[Product]:
    """Products not archived, plus those the document's lines already name (an edit keeps them)."""
    products = PRODUCT.unarchived(Product.objects.all())
    if kept:
        products |= Product.objects.filter(pk__in=kept)
    return products.order_by("name", "id")


class LineForm(StyledForm):
    product = ProductChoiceField(
        queryset=pickable_products(),
        required=False,
        empty_label="— No product —",
        widget=ProductSelect(attrs={"aria-label": "Product", "data-product-picker": ""}),
        help_text="Leave name and price empty to take the product's.",
    )
    name = forms.CharField(
        required=False, max_length=200, widget=forms.TextInput(attrs={"aria-label": "Name"})
    )
    quantity = _number("Quantity", placeholder="1")
    unit_price = _number("Unit price", money=True)
    discount_value = _number("Discount", placeholder="0")
    discount_type = forms.ChoiceField(
        choices=[(DiscountType.PERCENT, "%"), (DiscountType.FIXED, "Amount")],
        initial=DiscountType.PERCENT,
        widget=forms.Select(attrs={"aria-label": "Discount type"}),
    )
    tax_rate = _number("Tax rate (%)", placeholder="0")
    sku = forms.CharField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(required=False, widget=forms.HiddenInput)

    def line_input(self) -> dict[str, Any]:
        data = self.cleaned_data
        product = data.get("product")

        def text(value: Decimal | None) -> str:
            return "" if value is None else format(value, "f")  # canonical, never "1E-7"

        return {
            "product_id": product.pk if product else None,
            "name": data.get("name") or "",
            "quantity": text(data.get("quantity")) or "1",
            "unit_price": text(data.get("unit_price")),
            "discount_type": data.get("discount_type") or DiscountType.PERCENT,
            "discount_value": text(data.get("discount_value")) or "0",
            "tax_rate": text(data.get("tax_rate")),
            "sku": data.get("sku") or "",
            "description": data.get("description") or "",
        }


class BaseLineFormSet(BaseFormSet[LineForm]):
    def at_line_limit(self) -> bool:
        """As many rows as a document may have lines: "Add line" is off (the editor says why)."""
        return self.total_form_count() >= MAX_LINES

    def line_inputs(self) -> list[dict[str, Any]]:
        """The kept lines, in order: rows left empty or marked for removal are dropped."""
        kept = []
        for index, form in enumerate(self.forms):
            stored = index < self.initial_form_count()
            if (stored or form.has_changed()) and not form.cleaned_data.get("DELETE"):
                kept.append(form.line_input())
        return kept


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=1, can_delete=True, max_num=MAX_LINES
)


def line_formset(data: Any = None, stored: Iterable[PricedLine] = ()) -> BaseLineFormSet:
    """The line-item rows of a form: the stored lines of a document, then one empty row."""
    initial = [
        {
            "product": line.product_id,
            "name": line.name,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_value": line.discount_value or None,
            "discount_type": line.discount_type,
            "tax_rate": line.tax_rate,
            "sku": line.sku,
            "description": line.description,
        }
        for line in stored
    ]
    formset = LineFormSet(data, initial=initial, prefix="lines")
    assert isinstance(formset, BaseLineFormSet)
    kept = {int(row["product"]) for row in initial if row["product"] is not None}
    products = pickable_products(kept)
    options: list[Any] | None = None
    for form in [*formset.forms, formset.empty_form]:
        picker = form.fields["product"]
        if isinstance(picker, ProductChoiceField):
            picker.queryset = products
            options = list(cast(Iterable[Any], picker.choices)) if options is None else options
            picker.widget.choices = options  # read once for every row, not once a row
        form.fields["DELETE"].widget.attrs.update(
            {"class": "form-check-input", "aria-label": "Remove line"}
        )
    return formset
