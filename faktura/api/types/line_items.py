"""Line items on the wire: their default properties and HubSpot's association ids. Their records
live in two tables, a deal's or quote's and an invoice's (ADR 0006); the apps declare both."""

from faktura.api.adapters import COMMON_DEFAULTS, Adapter, Link

ADAPTERS = (
    Adapter(
        "line_items",
        ("name", "quantity", "price", "hs_sku", *COMMON_DEFAULTS),
        links=(
            Link("line_items", "invoices", 410, "line_item_to_invoice", changes_target=True),
            Link("line_items", "deals", 20, "line_item_to_deal", changes_target=True),
            Link("line_items", "quotes", 68, "line_item_to_quote", changes_target=True),
        ),
    ),
)
