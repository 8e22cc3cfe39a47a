"""Invoice a customer through Faktura's HubSpot-compatible API with HubSpot's own Python client.

The same calls work against HubSpot; only `host` differs. It finds or creates a contact,
creates two line items and a draft invoice associated with both (177 and 409), finalizes it,
pays it with a commerce payment associated to it (542), then searches for it.

    export FAKTURA_API_TOKEN=$(
        uv run --no-dev python manage.py create_api_token example --scopes all)
    uv run --group examples python docs/examples/invoice_with_hubspot_client.py

FAKTURA_URL says where Faktura runs (default http://127.0.0.1:8000, where `bin/run` serves).
"""

import os
import sys
from datetime import UTC, datetime

from hubspot import HubSpot
from hubspot.crm.commerce.invoices import PublicObjectSearchRequest, SimplePublicObjectInput
from hubspot.crm.commerce.invoices import SimplePublicObjectInputForCreate as InvoiceInput
from hubspot.crm.contacts import PublicObjectSearchRequest as ContactSearch
from hubspot.crm.contacts import SimplePublicObjectInputForCreate as ContactInput
from hubspot.crm.line_items import SimplePublicObjectInputForCreate as LineItemInput
from hubspot.crm.objects import SimplePublicObjectInputForCreate as ObjectInput

# HubSpot's association type ids (HUBSPOT_DEFINED).
INVOICE_TO_CONTACT = 177
INVOICE_TO_LINE_ITEM = 409
PAYMENT_TO_INVOICE = 542


def association(to_id: str, type_id: int) -> dict:
    return {
        "to": {"id": to_id},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
    }


def find_or_create_contact(client: HubSpot, email: str, firstname: str) -> str:
    found = client.crm.contacts.search_api.do_search(
        ContactSearch(
            filter_groups=[
                {"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}
            ]
        )
    )
    if found.results:
        return found.results[0].id
    created = client.crm.contacts.basic_api.create(
        ContactInput(properties={"email": email, "firstname": firstname})
    )
    return created.id


def main() -> int:
    token = os.environ.get("FAKTURA_API_TOKEN")
    if not token:
        print(
            "Set FAKTURA_API_TOKEN first: `uv run --no-dev python manage.py create_api_token "
            "example --scopes all` prints one.",
            file=sys.stderr,
        )
        return 2
    client = HubSpot(
        access_token=token, host=os.environ.get("FAKTURA_URL", "http://127.0.0.1:8000")
    )

    contact_id = find_or_create_contact(client, "ada@example.com", "Ada")
    lines = [
        client.crm.line_items.basic_api.create(
            LineItemInput(properties={"name": name, "quantity": quantity, "price": price})
        )
        for name, quantity, price in (("Consulting hour", "8", "150.00"), ("Travel", "1", "80"))
    ]
    draft = client.crm.commerce.invoices.basic_api.create(
        InvoiceInput(
            properties={"hs_currency": "USD"},
            associations=[
                association(contact_id, INVOICE_TO_CONTACT),
                *[association(line.id, INVOICE_TO_LINE_ITEM) for line in lines],
            ],
        )
    )
    print(f"Draft invoice {draft.id} for contact {contact_id} with {len(lines)} line items")

    # Finalizing: the invoice gets its number and can no longer be edited freely.
    client.crm.commerce.invoices.basic_api.update(
        draft.id, SimplePublicObjectInput(properties={"hs_invoice_status": "open"})
    )
    opened = client.crm.commerce.invoices.basic_api.get_by_id(
        draft.id, properties=["hs_number", "hs_amount_billed"]
    )
    number = opened.properties["hs_number"]
    total = opened.properties["hs_amount_billed"]
    print(f"Finalized as {number}: {total} USD due")

    payment = client.crm.objects.basic_api.create(
        "commerce_payments",
        ObjectInput(
            properties={
                "hs_initial_amount": total,
                "hs_initiated_date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "hs_latest_status": "succeeded",
            },
            associations=[association(draft.id, PAYMENT_TO_INVOICE)],
        ),
    )
    print(f"Payment {payment.id} of {total} USD applied")

    found = client.crm.commerce.invoices.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {"propertyName": "hs_number", "operator": "EQ", "value": number},
                        {"propertyName": "hs_invoice_status", "operator": "EQ", "value": "paid"},
                    ]
                }
            ],
            properties=["hs_number", "hs_invoice_status", "hs_balance_due"],
        )
    )
    for invoice in found.results:
        shown = invoice.properties
        print(
            f"Search found {shown['hs_number']}: {shown['hs_invoice_status']}, "
            f"balance due {shown['hs_balance_due']}"
        )
    return 0 if found.total == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
