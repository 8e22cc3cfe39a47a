"""Edit logs name the records that properties point at (an invoice's deal and quote, an owner, a
payment's contact, a line item's product), as they are named now; a record since deleted shows
its id. The index page's columns do the same (SPEC INV-32)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faktura.accounts.models import User
from faktura.core.properties import object_types
from faktura.history.readable import edit_log_groups
from faktura.invoices import services as invoices
from faktura.payments import services as payments
from faktura.sales import services as sales
from faktura.sales.models import Deal
from faktura.workflows.outline import criteria_in_words, event_in_words

pytestmark = pytest.mark.django_db


def log_texts(record):
    return [item for group in edit_log_groups(record) for item in group.items]


# SPEC INV-32
def test_an_invoice_made_from_a_deal_and_quote_names_them_in_its_log(system, deal, quote):
    invoice = invoices.create_invoice_from_quote(quote, actor=system)

    texts = log_texts(invoice)

    assert "Deal set to Difference engine" in texts
    assert "Quote set to Engine quote" in texts


# SPEC INV-32
def test_a_renamed_deal_shows_its_new_name_and_a_deleted_one_its_id(system, deal):
    invoice = invoices.create_invoice_from_deal(deal, actor=system)
    sales.update_deal(deal, actor=system, values={"dealname": "Analytical engine"})
    assert "Deal set to Analytical engine" in log_texts(invoice)

    Deal.objects.filter(pk=deal.pk).delete()

    assert f"Deal set to deal {deal.pk} (deleted)" in log_texts(invoice)


# SPEC INV-32
def test_owners_contacts_and_products_are_named_in_every_type_of_log(
    system, editor_user, contact, product
):
    deal = sales.create_deal(actor=system, dealname="Renewal", lines=[{"product_id": product.pk}])
    sales.update_deal(deal, actor=system, values={"hubspot_owner_id": editor_user.pk})
    payment = payments.create_manual_payment(
        actor=system, amount="10", currency="USD", contact=contact
    )
    item = sales.create_line_item(actor=system, values={"product_id": product.pk})

    assert f"Owner set to {editor_user.full_name}" in log_texts(deal)
    assert "Contact set to Ada Lovelace" in log_texts(payment)
    assert "Product ID set to Support plan" in log_texts(item)

    User.objects.filter(pk=editor_user.pk).delete()
    assert f"Owner set to user {editor_user.pk} (deleted)" in log_texts(deal)


def test_naming_records_costs_a_query_per_kind_not_per_entry(system, make_invoice):
    deals = [sales.create_deal(actor=system, dealname=f"Deal {n}") for n in range(6)]
    invoice = make_invoice()
    for deal in deals:
        invoices.update_invoice(invoice, actor=system, deal=deal)

    with CaptureQueriesContext(connection) as queries:
        texts = log_texts(invoice)

    assert "Deal: Deal 4 → Deal 5" in texts
    assert len(queries) <= 4  # the entries, their users, the deals, nothing per entry


def test_the_deal_column_of_the_invoices_index_shows_the_deals_name(
    client, viewer_user, system, deal
):
    invoices.create_invoice_from_deal(deal, actor=system)
    client.force_login(viewer_user)

    page = client.get("/invoices/?cols=hs_number,hs_deal_id").content.decode()

    assert f'href="/deals/{deal.pk}/">Difference engine</a>' in page


def test_filters_and_workflow_triggers_name_the_owner_they_compare_with(
    client, viewer_user, editor_user, system
):
    deals = object_types.get("deals")
    owner = str(editor_user.pk)
    client.force_login(viewer_user)

    page = client.get(f"/deals/?f=0:hubspot_owner_id:is:{owner}").content.decode()

    assert f"Owner is equal to {editor_user.full_name}" in page
    assert criteria_in_words(
        deals, [[{"property": "hubspot_owner_id", "operator": "is", "values": [owner]}]]
    ) == [[f"Owner is equal to {editor_user.full_name}"]]
    event = {"event": "property_changed", "property": "hubspot_owner_id", "to": owner}
    assert event_in_words(deals, event) == f"Owner changed to {editor_user.full_name}"
