"""HubSpot's search shares the index pages' sort and quick search (faktura.listings): invoice
numbers sort by their sequence, and `query` finds an invoice by its contacts, companies and
amounts."""

import pytest

from faktura.api.tests.conftest import ApiClient
from faktura.invoices import services as invoices

pytestmark = pytest.mark.django_db

SEARCH = "/crm/v3/objects/invoices/search"


def numbers(api: ApiClient, body: dict) -> list[str | None]:
    """Every invoice number the search returns, following its pages."""
    found: list[str | None] = []
    after = "0"
    while after:
        response = api.post(SEARCH, {**body, "properties": ["hs_number"], "after": after})
        assert response.status_code == 200, response.json()
        answer = response.json()
        found += [r["properties"]["hs_number"] for r in answer["results"]]
        after = answer.get("paging", {}).get("next", {}).get("after", "")
    return found


@pytest.mark.parametrize("direction", ["ASCENDING", "DESCENDING"])
def test_invoice_numbers_sort_by_their_number_across_pages(api, make_invoice, system, direction):
    # SPEC INV-24
    for _ in range(2):
        make_invoice()  # drafts, made first
    # Finalized newest first: INV-1 has the highest id of the ten.
    for invoice in reversed([make_invoice() for _ in range(10)]):
        invoices.finalize_invoice(invoice, actor=system)
    body = {"sorts": [{"propertyName": "hs_number", "direction": direction}], "limit": 2}
    expected = [f"INV-{n}" for n in range(1, 11)]
    if direction == "DESCENDING":
        expected.reverse()
    assert numbers(api, body) == [*expected, None, None]  # drafts have no number: last


def test_query_finds_invoices_by_contact_company_and_amount(
    api, make_invoice, contact, company, grace
):
    ada = make_invoice(finalized=True, contacts=[contact], companies=[company])
    make_invoice(
        finalized=True,
        contacts=[grace],
        lines=[{"name": "Compiler", "unit_price": "1000.50", "quantity": "1"}],
    )
    for text in ("Ada Lovelace", "ada@example.com", "Analytical", "250.00"):
        assert numbers(api, {"query": text}) == [ada.number], text
    assert numbers(api, {"query": "1000.5"}) == ["INV-2"]
