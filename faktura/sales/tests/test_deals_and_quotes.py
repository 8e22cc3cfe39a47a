from decimal import Decimal

import pytest

from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.sales import services as sales
from faktura.sales.models import Deal, LineItem


@pytest.fixture
def product(system):
    return sales.create_product(
        actor=system, name="Annual licence", hs_sku="LIC", price="1200.00", hs_tax_rate="8.625"
    )


def test_line_takes_name_price_and_tax_from_product_when_left_out(system, contact, product):
    deal = sales.create_deal(
        actor=system, dealname="Renewal", contacts=[contact], lines=[{"product_id": product.pk}]
    )
    item = deal.line_items.get()
    assert (item.name, item.sku) == ("Annual licence", "LIC")
    assert (item.unit_price, item.tax_rate) == (Decimal("1200.00"), Decimal("8.625"))
    # 1200.00 + 8.625 % tax = 103.50 tax
    assert item.amounts(deal.currency).total == Decimal("1303.50")


def test_deal_keeps_contacts_in_association_order_when_added(system, contact):
    grace = crm.create_contact(actor=system, firstname="Grace", email="grace@example.com")
    deal = sales.create_deal(actor=system, dealname="Two buyers", contacts=[grace, contact])
    ordered = list(deal.contacts.order_by("dealcontact__created_at", "dealcontact__id"))
    assert ordered == [grace, contact]


def test_quote_copies_deal_lines_and_contacts_when_created_from_deal(system, contact, product):
    deal = sales.create_deal(
        actor=system,
        dealname="Renewal",
        contacts=[contact],
        deal_currency_code="eur",
        lines=[{"product_id": product.pk, "quantity": "2"}],
    )
    quote = sales.create_quote(actor=system, hs_title="Renewal quote", deal=deal)
    assert quote.currency == "EUR"
    assert list(quote.contacts.all()) == [contact]
    copied = quote.line_items.get()
    assert copied.quantity == Decimal(2)
    # The quote owns its own copy: the deal's line is untouched by changes to it.
    assert LineItem.objects.filter(deal=deal).count() == 1
    assert copied.pk != deal.line_items.get().pk


@pytest.mark.parametrize(
    ("line", "phrase"),
    [
        ({"unit_price": "10"}, "needs a name or a product"),
        ({"name": "X"}, "needs a unit price"),
        ({"name": "X", "unit_price": "10", "quantity": "0"}, "more than zero"),
        ({"name": "X", "unit_price": "-1"}, "cannot be negative"),
        ({"name": "X", "unit_price": "10", "discount_value": "120"}, "between 0 and 100"),
        (
            {"name": "X", "unit_price": "10", "discount_type": "fixed", "discount_value": "11"},
            "larger than the line amount",
        ),
        ({"name": "X", "unit_price": "10", "tax_rate": "101"}, "between 0 and 100"),
        ({"name": "X", "unit_price": "ten"}, "must be a number"),
        ({"name": "X", "unit_price": "0.00001"}, "more than 4 decimals"),
        ({"name": "X", "unit_price": "1", "product_id": 999999}, "does not exist"),
    ],
)
def test_deal_refused_with_nothing_written_when_line_is_invalid(system, line, phrase):
    with pytest.raises(RuleViolation, match=phrase):
        sales.create_deal(actor=system, dealname="Bad line", lines=[line])
    assert not Deal.objects.exists()


def test_quote_signature_recorded_once_when_buyer_signs(system):
    quote = sales.create_quote(actor=system, hs_title="Sign me")
    signed = sales.complete_quote_signature(quote, actor=system)
    assert signed.esign_completed_at is not None
    with pytest.raises(RuleViolation, match="already signed"):
        sales.complete_quote_signature(quote, actor=system)
