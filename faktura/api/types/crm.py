"""Contacts and companies on the wire: their default properties and HubSpot's association ids."""

from faktura.api.adapters import COMMON_DEFAULTS, Adapter, Link

ADAPTERS = (
    Adapter(
        "contacts",
        ("email", "firstname", "lastname", *COMMON_DEFAULTS),
        links=(Link("contacts", "companies", 279, "contact_to_company"),),
    ),
    Adapter(
        "companies",
        ("name", "domain", *COMMON_DEFAULTS),
        links=(Link("companies", "contacts", 280, "company_to_contact"),),
    ),
)
