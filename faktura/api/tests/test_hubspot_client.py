"""HubSpot's own Python client (hubspot-api-client) against a live Faktura: the calls an
existing integration makes, unchanged except for `host`."""

from urllib.request import urlopen

import pytest
from hubspot import HubSpot
from hubspot.crm.commerce.invoices import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectInput,
)
from hubspot.crm.commerce.invoices import (
    SimplePublicObjectInputForCreate as InvoiceInput,
)
from hubspot.crm.commerce.invoices.exceptions import ApiException
from hubspot.crm.contacts import SimplePublicObjectInputForCreate as ContactInput
from hubspot.crm.line_items import SimplePublicObjectInputForCreate as LineItemInput
from hubspot.crm.objects import SimplePublicObjectInputForCreate as ObjectInput

from faktura.invoices.models import Invoice, InvoiceStatus

pytestmark = pytest.mark.django_db(transaction=True)


def association(to_id: str, type_id: int) -> dict:
    return {
        "to": {"id": to_id},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
    }


@pytest.fixture
def hubspot(live_server, token_for) -> HubSpot:
    return HubSpot(access_token=token_for(), host=live_server.url)


def test_invoice_created_finalized_searched_paid_and_archived_with_hubspots_client(hubspot):
    contact = hubspot.crm.contacts.basic_api.create(
        ContactInput(properties={"email": "ada@example.com", "firstname": "Ada"})
    )
    lines = [
        hubspot.crm.line_items.basic_api.create(
            LineItemInput(properties={"name": name, "quantity": "2", "price": price})
        )
        for name, price in (("Consulting hour", "100.00"), ("Travel", "50.00"))
    ]

    # One batch call: the draft with its contact (177) and both line items (409).
    batch = hubspot.crm.commerce.invoices.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(
                    properties={"hs_currency": "USD"},
                    associations=[
                        association(contact.id, 177),
                        *[association(line.id, 409) for line in lines],
                    ],
                )
            ]
        )
    )
    [draft] = batch.results
    stored = Invoice.objects.get(pk=draft.id)
    assert sorted(line.pk for line in stored.lines.all()) == sorted(int(x.id) for x in lines)
    assert stored.total == 300

    opened = hubspot.crm.commerce.invoices.basic_api.update(
        draft.id, SimplePublicObjectInput(properties={"hs_invoice_status": "open"})
    )
    assert opened.properties["hs_invoice_status"] == "open"

    found = hubspot.crm.commerce.invoices.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {"filters": [
                    {"propertyName": "hs_invoice_status", "operator": "EQ", "value": "open"},
                    {"propertyName": "hs_amount_billed", "operator": "GTE", "value": "300"},
                ]},
                {"filters": [{"propertyName": "hs_number", "operator": "EQ", "value": "nope"}]},
            ],
            properties=["hs_number", "hs_balance_due"],
        )
    )  # fmt: skip
    assert found.total == 1
    assert found.results[0].properties["hs_balance_due"] == "300"

    read = hubspot.crm.commerce.invoices.basic_api.get_by_id(
        draft.id, properties_with_history=["hs_invoice_status"], associations=["line_items"]
    )
    history = read.properties_with_history["hs_invoice_status"]
    assert [h.value for h in history] == ["open", "draft"]
    assert history[0].source_type == "API"

    hubspot.crm.objects.basic_api.create(
        "commerce_payments",
        ObjectInput(
            properties={
                "hs_initial_amount": "300.00",
                "hs_initiated_date": "2026-11-20T10:00:00Z",
                "hs_latest_status": "succeeded",
            },
            associations=[association(draft.id, 542)],
        ),
    )
    paid = hubspot.crm.commerce.invoices.basic_api.get_by_id(
        draft.id, properties=["hs_invoice_status", "hs_balance_due"]
    )
    assert paid.properties["hs_invoice_status"] == "paid"
    assert paid.properties["hs_balance_due"] == "0"

    # A paid invoice cannot be deleted (INV-21); an unused draft can.
    with pytest.raises(ApiException) as refused:
        hubspot.crm.commerce.invoices.basic_api.archive(draft.id)
    assert refused.value.status == 400
    spare = hubspot.crm.commerce.invoices.basic_api.create(
        InvoiceInput(properties={"hs_currency": "USD"})
    )
    hubspot.crm.commerce.invoices.basic_api.archive(spare.id)
    assert not Invoice.objects.filter(pk=spare.id).exists()
    assert Invoice.objects.get(pk=draft.id).status == InvoiceStatus.PAID


def test_hubspots_client_reads_the_invoice_properties_faktura_has_data_for(
    hubspot, live_server, account, make_invoice
):
    account(invoice_public_domain=live_server.url, default_currency="NOK")
    contact = hubspot.crm.contacts.basic_api.create(ContactInput(properties={"email": "a@b.no"}))
    line = hubspot.crm.line_items.basic_api.create(
        LineItemInput(properties={"name": "Rådgivning", "quantity": "2", "price": "1000"})
    )
    draft = hubspot.crm.commerce.invoices.basic_api.create(
        InvoiceInput(
            properties={"hs_currency": "NOK", "hs_locale": "nb-NO"},
            associations=[association(contact.id, 177), association(line.id, 409)],
        )
    )
    asked = [
        "hs_pdf_download_link",
        "hs_language",
        "hs_invoice_source",
        "hs_amount_billed",
        "hs_amount_billed_in_company_currency",
    ]
    unfinished = hubspot.crm.commerce.invoices.basic_api.get_by_id(draft.id, properties=asked)
    assert unfinished.properties["hs_pdf_download_link"] is None  # no public link before INV-5

    hubspot.crm.commerce.invoices.basic_api.update(
        draft.id, SimplePublicObjectInput(properties={"hs_invoice_status": "open"})
    )
    read = hubspot.crm.commerce.invoices.basic_api.get_by_id(draft.id, properties=asked)
    token = Invoice.objects.get(pk=draft.id).public_token
    assert read.properties == {
        "hs_pdf_download_link": f"{live_server.url}/i/{token}/pdf/",
        "hs_language": "nb",
        "hs_invoice_source": "api",
        "hs_amount_billed": "2000",
        "hs_amount_billed_in_company_currency": "2000",
        # HubSpot's client also gets the id and dates with every read.
        "hs_object_id": draft.id,
        "hs_createdate": read.properties["hs_createdate"],
        "hs_lastmodifieddate": read.properties["hs_lastmodifieddate"],
    }
    with urlopen(read.properties["hs_pdf_download_link"], timeout=60) as download:
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.read(5) == b"%PDF-"

    # Made by Faktura itself, in another currency: no amount in the company's currency.
    dollars = make_invoice(finalized=True, values={"hs_currency": "USD"})
    other = hubspot.crm.commerce.invoices.basic_api.get_by_id(str(dollars.pk), properties=asked)
    assert other.properties["hs_invoice_source"] == "system"
    assert other.properties["hs_language"] == "en"
    assert other.properties["hs_amount_billed_in_company_currency"] is None
