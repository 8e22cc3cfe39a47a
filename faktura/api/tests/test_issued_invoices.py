"""The API answers an issued invoice as it was issued (DOC-1): the buyer and seller HubSpot's
clients read (hs_recipient_company_*, hs_invoice_latest_company_name) and Faktura's own frozen
properties, unchanged by later edits of the company, the contact or Settings; a voided invoice
owes nothing (DOC-3)."""

import pytest

from faktura.crm import services as crm
from faktura.invoices import services as invoices

pytestmark = pytest.mark.django_db

FROZEN = (
    "buyer_name,buyer_contact_name,buyer_email,hs_recipient_company_address,"
    "hs_recipient_company_zip,hs_recipient_company_city,hs_recipient_company_country,"
    "buyer_tax_id,hs_invoice_latest_company_name,seller_name,seller_address,hs_balance_due"
)


# SPEC DOC-1
# SPEC DOC-2
def test_an_issued_invoice_is_answered_as_issued(api, system, contact, make_invoice, account):
    account(company_name="Nordlys AS", company_address="Storgata 1")
    company = crm.create_company(
        actor=system, name="Fjordverk AS", address="Kaiveien 5", zip="5003", city="Bergen"
    )
    issued = make_invoice(finalized=True, companies=[company])
    url = f"/crm/v3/objects/invoices/{issued.pk}"
    before = api.get(url, properties=FROZEN).json()["properties"]
    assert {k: before[k] for k in ("buyer_name", "hs_recipient_company_city", "seller_name")} == {
        "buyer_name": "Fjordverk AS",
        "hs_recipient_company_city": "Bergen",
        "seller_name": "Nordlys AS",
    }
    assert before["hs_invoice_latest_company_name"] == "Fjordverk AS"
    assert before["buyer_contact_name"] == "Ada Lovelace"

    crm.update_company(company, actor=system, values={"name": "Fjordverk Holding", "city": "Oslo"})
    crm.update_contact(contact, actor=system, values={"lastname": "King"})
    account(company_name="Renamed AS")

    after = api.get(url, properties=FROZEN).json()["properties"]
    assert {k: after[k] for k in FROZEN.split(",")} == {k: before[k] for k in FROZEN.split(",")}


# SPEC DOC-3
def test_a_voided_invoice_has_no_balance_due(api, system, make_invoice):
    issued = make_invoice(finalized=True)
    invoices.void_invoice(issued, actor=system)
    read = api.get(f"/crm/v3/objects/invoices/{issued.pk}", properties="hs_balance_due").json()
    assert read["properties"]["hs_balance_due"] == "0"
