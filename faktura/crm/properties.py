"""Declared properties of contacts and companies (HubSpot's internal names)."""

from faktura.core.properties import ObjectType, Property, object_types
from faktura.core.properties import PropertyType as T
from faktura.crm.models import Company, Contact

COMMON = (
    Property("hs_object_id", "Record ID", T.NUMBER, field="id", read_only=True),
    Property("hubspot_owner_id", "Owner", T.NUMBER, field="owner_id"),
    Property(
        "createdate", "Create date", T.DATETIME, field="created_at", read_only=True, tracked=False
    ),
    Property(
        "hs_lastmodifieddate",
        "Last modified date",
        T.DATETIME,
        field="updated_at",
        read_only=True,
        tracked=False,
    ),
)

CONTACT = object_types.register(
    "contacts",
    ObjectType(
        name="contacts",
        singular="contact",
        label="Contacts",
        model=Contact,
        hubspot_type_id="0-1",
        archive_field="archived_at",
        properties=(
            Property("firstname", "First name", T.STRING, field="first_name"),
            Property("lastname", "Last name", T.STRING, field="last_name"),
            Property("email", "Email", T.STRING, field="email"),
            Property("phone", "Phone number", T.STRING, field="phone"),
            Property("address", "Street address", T.STRING, field="address"),
            Property("city", "City", T.STRING, field="city"),
            Property("zip", "Postal code", T.STRING, field="zip"),
            Property("country", "Country", T.STRING, field="country"),
            *COMMON,
        ),
    ),
)

COMPANY = object_types.register(
    "companies",
    ObjectType(
        name="companies",
        singular="company",
        label="Companies",
        model=Company,
        hubspot_type_id="0-2",
        archive_field="archived_at",
        properties=(
            Property("name", "Company name", T.STRING, field="name"),
            Property("domain", "Company domain name", T.STRING, field="domain"),
            Property("address", "Street address", T.STRING, field="address"),
            Property("city", "City", T.STRING, field="city"),
            Property("zip", "Postal code", T.STRING, field="zip"),
            Property("country", "Country", T.STRING, field="country"),
            Property("hs_tax_id", "Tax ID", T.STRING, field="tax_id"),
            *COMMON,
        ),
    ),
)
