"""Line input: what a user or client sends for one line of a deal, quote or invoice."""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from faktura.core.errors import RuleViolation
from faktura.core.money import to_decimal
from faktura.sales.models import PricedLine, Product
from faktura.sales.pricing import DiscountType, LineAmounts, line_amounts

MAX_LINES = 500


@dataclass(frozen=True)
class LineInput:
    name: str
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    discount_type: str = DiscountType.PERCENT
    discount_value: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)
    product_id: int | None = None
    sku: str = ""
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # The stored line this input keeps, id and all (ADR 0006); None: a new line, a new id.
    id: int | None = None

    @classmethod
    def from_line(cls, line: PricedLine, *, keep_id: bool = False) -> "LineInput":
        """Copy a stored line (deal → quote → invoice, or invoice → clone: new ids), or restate
        it unchanged beside other edits (keep_id)."""
        return cls(
            **{name: getattr(line, name) for name in _FIELDS}, id=line.pk if keep_id else None
        )

    def amounts(self, currency: str) -> LineAmounts:
        return line_amounts(
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount_type=self.discount_type,
            discount_value=self.discount_value,
            tax_rate=self.tax_rate,
            currency=currency,
        )

    def as_fields(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit_price": self.unit_price,
            "quantity": self.quantity,
            "discount_type": self.discount_type,
            "discount_value": self.discount_value,
            "tax_rate": self.tax_rate,
            "product_id": self.product_id,
            "sku": self.sku,
            "description": self.description,
        }


def restated(
    stored: Iterable[PricedLine], changed: Mapping[int, LineInput], removed: Collection[int]
) -> list[LineInput]:
    """The stored lines as an edit leaves them: `changed` ones replaced (ids kept), `removed`
    ones left out, the others restated unchanged."""
    return [
        replace(changed[line.pk], id=line.pk)
        if line.pk in changed
        else LineInput.from_line(line, keep_id=True)
        for line in stored
        if line.pk not in removed
    ]


def clean_line(
    raw: LineInput | Mapping[str, Any],
    currency: str,
    position: int,
    products: Mapping[Any, Product] | None = None,
) -> LineInput:
    """Validate one line; a product fills in what the line leaves out. `products`: the products
    the lines name, read once for all of them (else this line's is read)."""
    data = dict(raw.as_fields() if isinstance(raw, LineInput) else raw)
    where = f"Line {position}"
    product = None
    if data.get("product_id"):
        if products is None:
            product = Product.objects.filter(pk=data["product_id"]).first()
        else:
            product = products.get(_product_key(data["product_id"]))
        if product is None:
            raise RuleViolation(f"{where}: product {data['product_id']} does not exist.")
    name = str(data.get("name") or (product.name if product else "")).strip()
    if not name:
        raise RuleViolation(f"{where} needs a name or a product.")
    price_input = data.get("unit_price")
    if price_input in (None, "") and product is not None:
        price_input = product.unit_price
    if price_input in (None, ""):
        raise RuleViolation(f"{where} ({name}) needs a unit price.")
    unit_price = to_decimal(price_input, field=f"{where} unit price")
    quantity = to_decimal(data.get("quantity", 1), field=f"{where} quantity")
    if quantity <= 0:
        raise RuleViolation(f"{where} ({name}): the quantity must be more than zero.")
    if unit_price < 0:
        raise RuleViolation(
            f"{where} ({name}): the unit price cannot be negative. Use a discount instead."
        )
    discount_type = data.get("discount_type") or DiscountType.PERCENT
    if discount_type not in DiscountType.values:
        raise RuleViolation(f"{where}: discount type must be 'percent' or 'fixed'.")
    discount_value = to_decimal(data.get("discount_value") or 0, field=f"{where} discount")
    if discount_value < 0 or (discount_type == DiscountType.PERCENT and discount_value > 100):
        raise RuleViolation(
            f"{where} ({name}): a discount is between 0 and 100 % or a positive amount."
        )
    tax_input = data.get("tax_rate")
    if tax_input in (None, "") and product is not None:
        tax_input = product.tax_rate
    tax_rate = to_decimal(tax_input or 0, field=f"{where} tax rate")
    if not Decimal(0) <= tax_rate <= Decimal(100):
        raise RuleViolation(f"{where} ({name}): the tax rate must be between 0 and 100 %.")
    for value, places, label in ((quantity, 4, "quantity"), (unit_price, 4, "unit price")):
        if value != round(value, places):
            raise RuleViolation(f"{where} ({name}): the {label} has more than {places} decimals.")
    line = LineInput(
        name=name[:200],
        unit_price=unit_price,
        quantity=quantity,
        discount_type=discount_type,
        discount_value=discount_value,
        tax_rate=tax_rate,
        product_id=product.pk if product else None,
        sku=str(data.get("sku") or (product.sku if product else "")),
        description=str(data.get("description") or (product.description if product else "")),
        id=raw.id if isinstance(raw, LineInput) else None,  # only services restate stored lines
    )
    # Refuses a fixed discount larger than the line before anything is written.
    line.amounts(currency)
    return line


_MATH = {"quantity", "unit_price", "discount_type", "discount_value", "tax_rate"}
_FIELDS = (*_MATH, "name", "product_id", "sku", "description")


def _product_key(value: Any) -> int | None:
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def named_products(raw_lines: list[Any]) -> dict[int, Product]:
    """The products the lines name, in one query (a line per query made a batch slow)."""
    ids = set()
    for raw in raw_lines:
        value = raw.product_id if isinstance(raw, LineInput) else raw.get("product_id")
        if value and (key := _product_key(value)) is not None:
            ids.add(key)
    return Product.objects.in_bulk(ids) if ids else {}


def too_many_lines(count: int) -> RuleViolation:
    return RuleViolation(
        _(
            "A document can have at most %(max)s lines; this one would have %(count)s. Remove "
            "some lines, or put the rest on a second document."
        )
        % {"max": MAX_LINES, "count": count},
        code="too_many_lines",
    )


def clean_lines(raw_lines: list[Any], currency: str) -> list[LineInput]:
    if len(raw_lines) > MAX_LINES:
        raise too_many_lines(len(raw_lines))
    products = named_products(raw_lines)
    return [
        clean_line(raw, currency, index, products) for index, raw in enumerate(raw_lines, start=1)
    ]
