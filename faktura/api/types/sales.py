"""Products, deals and quotes on the wire: their default properties and HubSpot's association
ids."""

from faktura.api.adapters import COMMON_DEFAULTS, Adapter, Link

ADAPTERS = (
    Adapter("products", ("name", "price", "description", *COMMON_DEFAULTS)),
    Adapter(
        "deals",
        ("dealname", "amount", "dealstage", "closedate", *COMMON_DEFAULTS),
        links=(
            Link("deals", "contacts", 3, "deal_to_contact"),
            Link("deals", "companies", 5, "deal_to_company"),
            Link("deals", "line_items", 19, "deal_to_line_item"),
            Link("deals", "quotes", 63, "deal_to_quote"),
            Link("deals", "invoices", 176, "deal_to_invoice"),
            Link("deals", "commerce_payments", 392, "deal_to_payment"),
        ),
    ),
    Adapter(
        "quotes",
        ("hs_title", "hs_expiration_date", "hs_status", *COMMON_DEFAULTS),
        links=(
            Link("quotes", "deals", 64, "quote_to_deal"),
            Link("quotes", "contacts", 69, "quote_to_contact"),
            Link("quotes", "companies", 71, "quote_to_company"),
            Link("quotes", "line_items", 67, "quote_to_line_item"),
            Link("quotes", "invoices", 408, "quote_to_invoice"),
        ),
    ),
)
