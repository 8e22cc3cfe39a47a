"""The issued document (DOC-1, DOC-2): the seller and the one buyer as an invoice prints them.

A draft prints them as they are now (Settings, its billed company and billing contact). Finalizing
freezes them on the invoice, and from then on every face (page, PDF, email, export, API) reads the
frozen copy; only an edit under INV-6 freezes them again, and history shows what changed.
"""

import hashlib
from dataclasses import dataclass, fields

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from faktura.accounts.logo import data_url, logo_data_url
from faktura.accounts.services import get_account_settings
from faktura.crm.models import Company, Contact
from faktura.invoices.models import Invoice, IssuedLogo


@dataclass(frozen=True)
class Seller:
    name: str
    address: str
    tax_id: str
    bank_account: str
    payment_instructions: str
    logo: str  # a data: URL, or ""


@dataclass(frozen=True)
class Buyer:
    """Whom the invoice bills: a company (to the attention of its contact) or a person."""

    name: str
    contact_name: str  # the billing contact when a company is billed
    email: str
    street: str
    zip: str
    city: str
    country: str
    tax_id: str

    @property
    def address_lines(self) -> list[str]:
        place = " ".join(part for part in (self.zip, self.city) if part)
        return [line for line in (self.street, place, self.country) if line]

    @property
    def is_known(self) -> bool:
        return bool(self.name or self.email)


# Invoice fields holding the frozen copy, by the attribute of Seller/Buyer they keep.
SELLER_FIELDS = {
    "name": "seller_name",
    "address": "seller_address",
    "bank_account": "seller_bank_account",
    "payment_instructions": "seller_payment_instructions",
}
BUYER_FIELDS = {f.name: f"buyer_{f.name}" for f in fields(Buyer)}
FROZEN_FIELDS = [*SELLER_FIELDS.values(), "seller_logo", *BUYER_FIELDS.values()]


def billing_contact(invoice: Invoice) -> Contact | None:
    """The first contact (INV-28's To, DOC-2's person billed or to the attention of)."""
    return invoice.contacts_in_order().first()


def billed_company(invoice: Invoice) -> Company | None:
    company: Company | None = invoice.billed_company
    return company


def current_seller(invoice: Invoice | None = None) -> Seller:
    """The seller as Settings say now; the tax ID is the invoice's own (hs_tax_id)."""
    account = get_account_settings()
    return Seller(
        name=account.company_name,
        address=account.company_address,
        tax_id=invoice.tax_id if invoice is not None else account.company_tax_id,
        bank_account=account.company_bank_account,
        payment_instructions=account.payment_instructions,
        logo=logo_data_url(account),
    )


def current_buyer(invoice: Invoice) -> Buyer:
    company, contact = billed_company(invoice), billing_contact(invoice)
    person = contact.full_name if contact else ""
    place = company if company is not None else contact
    return Buyer(
        name=company.name if company is not None else person,
        contact_name=person if company is not None else "",
        email=contact.email if contact else "",
        street=place.address if place else "",
        zip=place.zip if place else "",
        city=place.city if place else "",
        country=place.country if place else "",
        tax_id=company.tax_id if company is not None else "",
    )


def seller_of(invoice: Invoice) -> Seller:
    if not invoice.is_finalized:
        return current_seller(invoice)
    logo: IssuedLogo | None = invoice.seller_logo
    return Seller(
        **{part: getattr(invoice, field) for part, field in SELLER_FIELDS.items()},
        tax_id=invoice.tax_id,
        logo=data_url(bytes(logo.content), logo.content_type) if logo else "",
    )


def buyer_of(invoice: Invoice) -> Buyer:
    if not invoice.is_finalized:
        return current_buyer(invoice)
    return Buyer(**{part: getattr(invoice, field) for part, field in BUYER_FIELDS.items()})


def freeze_parties(invoice: Invoice) -> None:
    """Copy the seller and buyer as they are now onto the invoice (saved by the caller)."""
    seller, buyer = current_seller(invoice), current_buyer(invoice)
    for part, field in SELLER_FIELDS.items():
        setattr(invoice, field, getattr(seller, part))
    for part, field in BUYER_FIELDS.items():
        setattr(invoice, field, getattr(buyer, part))
    invoice.seller_logo = _issued_logo()


def _issued_logo() -> IssuedLogo | None:
    """The account's logo as stored for issued invoices: one row per distinct image."""
    account = get_account_settings()
    content = bytes(account.company_logo)
    if not content:
        return None
    logo, _ = IssuedLogo.objects.get_or_create(
        digest=hashlib.sha256(content).hexdigest(),
        defaults={"content": content, "content_type": account.company_logo_type},
    )
    return logo


# What `reissued_differences` names, by the attribute of Seller/Buyer.
_LABELS = {
    "name": _lazy("name"),
    "address": _lazy("address"),
    "bank_account": _lazy("bank account"),
    "payment_instructions": _lazy("payment instructions"),
    "logo": _lazy("logo"),
    "contact_name": _lazy("contact"),
    "email": _lazy("email"),
    "street": _lazy("street address"),
    "zip": _lazy("postal code"),
    "city": _lazy("city"),
    "country": _lazy("country"),
    "tax_id": _lazy("tax ID"),
}


def reissued_differences(invoice: Invoice) -> list[str]:
    """What an edit under INV-6 would change of an issued invoice's seller and buyer, because
    Settings, its contacts or its companies changed since: "Seller name", "Bill-to city"."""
    if not invoice.is_finalized:
        return []
    found = []
    for side, issued, now in (
        (_("Seller"), seller_of(invoice), current_seller(invoice)),
        (_("Bill-to"), buyer_of(invoice), current_buyer(invoice)),
    ):
        for part in fields(issued):
            if getattr(issued, part.name) != getattr(now, part.name):
                found.append(f"{side} {_LABELS[part.name]}")
    return found
