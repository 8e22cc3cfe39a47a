"""Declared properties of products, deals, quotes and line items."""

from faktura.core.properties import ObjectType, Property, object_types, options_from
from faktura.core.properties import PropertyType as T
from faktura.crm.properties import COMMON
from faktura.sales.models import Deal, DealStage, LineItem, Product, Quote, QuoteStatus
from faktura.sales.pricing import DiscountType, totals


def _document_total(document: Deal | Quote) -> object:
    return totals(line.amounts(document.currency) for line in document.line_items.all()).total


PRODUCT = object_types.register(
    "products",
    ObjectType(
        name="products",
        singular="product",
        label="Products",
        model=Product,
        hubspot_type_id="0-7",
        archive_field="archived_at",
        properties=(
            Property("name", "Name", T.STRING, field="name"),
            Property("hs_sku", "SKU", T.STRING, field="sku"),
            Property("description", "Description", T.STRING, field="description"),
            Property("price", "Unit price", T.NUMBER, field="unit_price", money=True),
            Property("hs_tax_rate", "Tax rate (%)", T.NUMBER, field="tax_rate"),
            *COMMON[:1],
            *COMMON[2:],
        ),
    ),
)

DEAL = object_types.register(
    "deals",
    ObjectType(
        name="deals",
        singular="deal",
        label="Deals",
        model=Deal,
        hubspot_type_id="0-3",
        archive_field="archived_at",
        properties=(
            Property("dealname", "Deal name", T.STRING, field="name"),
            Property(
                "dealstage",
                "Deal stage",
                T.ENUMERATION,
                field="stage",
                options=options_from(DealStage),
            ),
            Property("closedate", "Close date", T.DATE, field="close_date"),
            Property("deal_currency_code", "Currency", T.STRING, field="currency"),
            Property(
                "amount",
                "Amount",
                T.NUMBER,
                field="amount",
                money=True,
                description="What the deal is worth. A deal with line items is worth their total "
                "and follows them; without line items, type the amount.",
            ),
            *COMMON,
        ),
    ),
)

QUOTE = object_types.register(
    "quotes",
    ObjectType(
        name="quotes",
        singular="quote",
        label="Quotes",
        model=Quote,
        hubspot_type_id="0-14",
        archive_field="archived_at",
        properties=(
            Property("hs_title", "Quote name", T.STRING, field="title"),
            Property(
                "hs_status",
                "Quote status",
                T.ENUMERATION,
                field="status",
                options=options_from(QuoteStatus),
            ),
            Property("hs_expiration_date", "Expiration date", T.DATE, field="expiration_date"),
            Property("hs_currency", "Currency", T.STRING, field="currency"),
            Property(
                "hs_esign_date",
                "E-sign completed signature",
                T.DATETIME,
                field="esign_completed_at",
                read_only=True,
            ),
            Property(
                "hs_quote_amount",
                "Amount",
                T.NUMBER,
                read_only=True,
                compute=_document_total,
                prefetch_related=("line_items",),
                money=True,
            ),
            *COMMON,
        ),
    ),
)

LINE_ITEM = object_types.register(
    "line_items",
    ObjectType(
        name="line_items",
        singular="line_item",
        label="Line items",
        model=LineItem,
        hubspot_type_id="0-8",
        properties=(
            Property("name", "Name", T.STRING, field="name"),
            Property("hs_sku", "SKU", T.STRING, field="sku"),
            Property("quantity", "Quantity", T.NUMBER, field="quantity"),
            Property("price", "Unit price", T.NUMBER, field="unit_price"),
            Property(
                "hs_discount_type",
                "Discount type",
                T.ENUMERATION,
                field="discount_type",
                options=options_from(DiscountType),
            ),
            Property("discount", "Discount", T.NUMBER, field="discount_value"),
            Property("hs_tax_rate", "Tax rate (%)", T.NUMBER, field="tax_rate"),
            Property("hs_product_id", "Product ID", T.NUMBER, field="product_id"),
            COMMON[0],
            *COMMON[2:],  # a line item has no owner
        ),
    ),
)
