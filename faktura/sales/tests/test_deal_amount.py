"""A deal's amount: given by hand while the deal has no line items, their total once it has some
(a different amount is refused with the reason), recorded in history with its real value,
written through the form, the HubSpot-shaped API and workflows, filtered and sorted on the
deals index; and new deals and quotes in the account's default currency."""

import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps

from faktura.api.scopes import ALL_SCOPES
from faktura.api.tokens import create_token
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.history.models import Entry
from faktura.history.readable import edit_log_groups
from faktura.sales import services as sales
from faktura.sales.models import Deal, Quote

pytestmark = pytest.mark.django_db

GEARS = {"name": "Gear set", "unit_price": "500.00", "quantity": "3"}  # 1,500.00


def log_texts(record):
    return [item for group in edit_log_groups(record) for item in group.items]


def amount_entries(deal):
    entries = Entry.objects.for_object("deal", deal.pk).filter(property="amount")
    return list(entries.order_by("id").values_list("old_value", "new_value"))


@pytest.fixture
def nok(account):
    account(default_currency="NOK")


# --- the service ---------------------------------------------------------------------------------


def test_a_deal_without_line_items_takes_the_amount_given(system, nok):
    deal = sales.create_deal(actor=system, dealname="Acme renewal", amount="1500")
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1500")
    assert "Amount set to 1,500.00 NOK" in log_texts(deal)

    sales.update_deal(deal, actor=system, values={"amount": "1750.50"})
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1750.50")
    assert "Amount: 1,500.00 NOK → 1,750.50 NOK" in log_texts(deal)

    sales.update_deal(deal, actor=system, values={"amount": ""})
    assert Deal.objects.get(pk=deal.pk).amount is None


def test_a_deal_with_line_items_is_worth_their_total_from_its_first_history_entry(system, nok):
    deal = sales.create_deal(actor=system, dealname="Acme renewal", lines=[GEARS])

    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1500.00")
    # History records the real amount at creation, never 0.00 before the lines are stored.
    assert amount_entries(deal) == [(None, "1500")]
    assert "Amount set to 1,500.00 NOK" in log_texts(deal)


def test_the_amount_follows_every_change_of_the_lines_in_the_same_write(system):
    deal = sales.create_deal(actor=system, dealname="Acme renewal", lines=[GEARS])

    sales.update_deal(deal, actor=system, values={}, lines=[{**GEARS, "quantity": "4"}])

    assert Deal.objects.get(pk=deal.pk).amount == Decimal("2000.00")
    assert amount_entries(deal) == [(None, "1500"), ("1500", "2000")]
    [latest, *_] = edit_log_groups(deal)
    assert "Amount: 1,500.00 USD → 2,000.00 USD" in latest.items
    assert any(item.startswith("Line items: 3 × Gear set") for item in latest.items)


def test_line_item_services_keep_the_amount_too(system):
    deal = sales.create_deal(actor=system, dealname="Acme renewal", lines=[GEARS])
    item = deal.line_items.get()

    sales.update_line_item(item, actor=system, values={"quantity": "2"})
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1000.00")

    loose = sales.create_line_item(actor=system, values={"name": "Oil", "unit_price": "20"})
    sales.attach_line_item(loose, deal, actor=system)
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1020.00")


def test_another_amount_on_a_deal_with_line_items_is_refused_with_the_reason(system):
    deal = sales.create_deal(actor=system, dealname="Acme renewal", lines=[GEARS])

    with pytest.raises(RuleViolation) as refused:
        sales.update_deal(deal, actor=system, values={"amount": "900", "dealstage": "closedwon"})

    assert refused.value.reason == (
        "Deal 'Acme renewal' has line items, so its amount is their total (1,500.00 USD) and "
        "cannot be set to 900.00 USD. Change the line items instead, or remove them to set the "
        "amount by hand."
    )
    stored = Deal.objects.get(pk=deal.pk)
    assert (stored.amount, stored.stage) == (Decimal("1500.00"), "appointmentscheduled")
    with pytest.raises(RuleViolation, match="cannot be cleared"):
        sales.update_deal(deal, actor=system, values={"amount": None})
    with pytest.raises(RuleViolation, match="cannot be set to 10.00 USD"):
        sales.create_deal(actor=system, dealname="Other", amount="10", lines=[GEARS])
    assert Deal.objects.count() == 1


def test_the_lines_total_as_the_amount_is_accepted_as_integrations_send_it_back(system):
    deal = sales.create_deal(actor=system, dealname="Acme renewal", amount="1500", lines=[GEARS])
    sales.update_deal(deal, actor=system, values={"amount": "1500.00"})
    # New lines and their new total in one call.
    sales.update_deal(
        deal, actor=system, values={"amount": "500"}, lines=[{**GEARS, "quantity": "1"}]
    )
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("500.00")


def test_without_line_items_left_the_amount_stays_and_is_the_users_again(system):
    deal = sales.create_deal(actor=system, dealname="Acme renewal", lines=[GEARS])
    sales.update_deal(deal, actor=system, values={}, lines=[])
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1500.00")

    sales.update_deal(deal, actor=system, values={"amount": "1200"})

    assert Deal.objects.get(pk=deal.pk).amount == Decimal("1200")


def test_a_currency_change_rounds_the_total_again(system):
    deal = sales.create_deal(
        actor=system, dealname="Tokyo", lines=[{"name": "Widget", "unit_price": "10.50"}]
    )
    sales.update_deal(deal, actor=system, values={"deal_currency_code": "JPY"})
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("11")


@pytest.mark.parametrize(
    ("amount", "phrase"),
    [
        ("1e3", "exponent notation"),
        ("12.345", "more decimals than USD allows"),
        ("lots", "must be a number"),
    ],
)
def test_an_amount_that_cannot_be_read_is_refused(system, amount, phrase):  # SPEC DOC-4
    with pytest.raises(RuleViolation, match=phrase):
        sales.create_deal(actor=system, dealname="Acme renewal", amount=amount)
    assert not Deal.objects.exists()


def test_existing_deals_get_their_lines_total_stored_by_the_migration(system):
    with_lines = sales.create_deal(actor=system, dealname="Lines", lines=[GEARS])
    without = sales.create_deal(actor=system, dealname="No lines")
    Deal.objects.update(amount=None)  # as every deal was before the column existed

    migration = importlib.import_module("faktura.sales.migrations.0006_deal_amount_from_lines")
    migration.store_amounts(apps, None)

    assert Deal.objects.get(pk=with_lines.pk).amount == Decimal("1500.00")
    assert Deal.objects.get(pk=without.pk).amount is None


# --- the faces: form, API, index page ------------------------------------------------------------


def test_the_deal_form_sets_the_amount_of_a_deal_without_lines(signed_in, editor_user, nok):
    client = signed_in(editor_user)
    answer = client.post(
        "/deals/new/",
        {
            "dealname": "Acme renewal",
            "dealstage": "qualifiedtobuy",
            "deal_currency_code": "NOK",
            "amount": "1500",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    deal = Deal.objects.get()
    assert answer.status_code == 302
    assert deal.amount == Decimal("1500")
    page = client.get(deal.get_absolute_url()).content.decode()
    assert 'data-testid="deal-amount">1,500.00 NOK<' in page


@pytest.fixture
def api(client):
    """api(method, path, body) through the HubSpot-shaped API with a real token."""
    _, token = create_token(
        actor=Actor.system("tests"), name="deals", scopes=[s[0] for s in ALL_SCOPES]
    )

    def call(method, path, body=None):
        return getattr(client, method)(
            path,
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    return call


def test_the_api_writes_the_amount_as_hubspot_integrations_do(api):
    created = api(
        "post", "/crm/v3/objects/deals", {"properties": {"dealname": "A", "amount": "99"}}
    )
    assert created.status_code == 201, created.content
    assert created.json()["properties"]["amount"] == "99"
    deal = Deal.objects.get()

    patched = api("patch", f"/crm/v3/objects/deals/{deal.pk}", {"properties": {"amount": "1500"}})

    assert patched.status_code == 200, patched.content
    assert patched.json()["properties"]["amount"] == "1500"
    assert Deal.objects.get().amount == Decimal("1500")


def test_the_api_answers_an_amount_that_contradicts_the_lines_with_the_reason(api, system):
    deal = sales.create_deal(actor=system, dealname="Acme renewal", lines=[GEARS])

    refused = api("patch", f"/crm/v3/objects/deals/{deal.pk}", {"properties": {"amount": "900"}})

    assert refused.status_code == 400
    assert "its amount is their total (1,500.00 USD)" in refused.json()["message"]
    assert Deal.objects.get().amount == Decimal("1500.00")


def test_deals_are_filtered_and_sorted_by_amount_on_the_index_page(client, viewer_user, system):
    for name, amount in (("Small", "50"), ("Big", "5000"), ("Middle", "150")):
        sales.create_deal(actor=system, dealname=name, amount=amount)
    sales.create_deal(actor=system, dealname="Unknown")
    client.force_login(viewer_user)

    filtered = client.get("/deals/?f=0:amount:gt:100&sort=amount&cols=dealname,amount")

    assert filtered.status_code == 200
    page = filtered.content.decode()
    assert page.index(">Middle<") < page.index(">Big<")
    assert ">Small<" not in page
    assert ">Unknown<" not in page
    assert "150.00 USD" in page
    assert 'title="Sort by Amount"' in page


# --- default currency ----------------------------------------------------------------------------


def test_deals_and_quotes_made_without_a_currency_take_the_accounts(system, nok):
    deal = sales.create_deal(actor=system, dealname="Acme renewal")
    quote = sales.create_quote(actor=system, hs_title="Acme quote")
    from_deal = sales.create_quote(actor=system, hs_title="From the deal", deal=deal)
    assert (deal.currency, quote.currency, from_deal.currency) == ("NOK", "NOK", "NOK")
    assert sales.create_deal(actor=system, dealname="Euro", deal_currency_code="eur").currency == (
        "EUR"
    )


@pytest.mark.parametrize(
    ("path", "currency_field", "model", "name_field"),
    [
        ("/deals/new/", "deal_currency_code", Deal, "dealname"),
        ("/quotes/new/", "hs_currency", Quote, "hs_title"),
    ],
)
def test_the_forms_offer_the_accounts_currency_and_save_it(
    signed_in, editor_user, nok, path, currency_field, model, name_field
):
    client = signed_in(editor_user)
    form = client.get(path).content.decode()
    assert '<option value="NOK" selected>NOK</option>' in form
    answer = client.post(
        path,
        {
            name_field: "Fjord cabins",
            currency_field: "NOK",
            "dealstage": "qualifiedtobuy",
            "hs_status": "DRAFT",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    assert answer.status_code == 302
    assert model.objects.get().currency == "NOK"


def test_the_api_creates_a_deal_without_a_currency_in_the_accounts(api, nok):
    created = api("post", "/crm/v3/objects/deals", {"properties": {"dealname": "A"}})
    assert created.status_code == 201, created.content
    assert Deal.objects.get().currency == "NOK"
