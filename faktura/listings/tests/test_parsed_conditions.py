"""Conditions built from values their caller has already read (the API's search turns each
HubSpot filter into one): the operators no menu offers — at least, at most, a whole word — and
exact moments beside whole days."""

import datetime as dt
from decimal import Decimal

import pytest

from faktura.core.properties import object_types
from faktura.crm import services as crm
from faktura.crm.models import Contact
from faktura.listings import filters as flt
from faktura.sales import services as sales
from faktura.sales.models import Product

pytestmark = pytest.mark.django_db

Op = flt.Operator


def matching(model, type_name, prop_name, operator, *values):
    prop = object_types.get(type_name).property(prop_name)
    condition = flt.parsed_condition(prop, operator, values)
    found = model.objects.filter(flt.to_q(flt.Filters(((condition,),))))
    return sorted(str(record) for record in found)


@pytest.fixture
def towns(system):
    for first, city in [("A", "Oslo"), ("B", "Old Oslo town"), ("C", "Oslomarka"), ("D", "")]:
        crm.create_contact(actor=system, firstname=first, city=city)


@pytest.mark.parametrize(
    ("operator", "word", "firsts"),
    [
        (Op.HAS_WORD, "OSLO", ["A", "B"]),  # a whole word, whatever its case
        (Op.HAS_WORD, "osl*", ["A", "B", "C"]),  # * stands for any characters
        (Op.NOT_HAS_WORD, "oslo", ["C", "D"]),  # "not" keeps the records without a value
    ],
)
def test_a_word_condition_matches_whole_words(towns, operator, word, firsts):
    found = matching(Contact, "contacts", "city", operator, word)
    assert found == sorted(c.full_name for c in Contact.objects.filter(first_name__in=firsts))


@pytest.fixture
def prices(system):
    for name, price in [("Cheap", "5"), ("Middle", "12.5"), ("Dear", "20")]:
        sales.create_product(actor=system, name=name, price=price)


def test_at_least_and_at_most_include_the_value_itself(prices):
    assert matching(Product, "products", "price", Op.AT_LEAST, Decimal("12.5")) == [
        "Dear",
        "Middle",
    ]
    assert matching(Product, "products", "price", Op.AT_MOST, Decimal("12.5")) == [
        "Cheap",
        "Middle",
    ]
    assert (
        flt.parsed_condition(
            object_types.get("products").property("price"), Op.AT_LEAST, [Decimal("12.5")]
        ).describe()
        == "Unit price is at least 12.5"
    )


def test_a_moment_compares_exactly_and_a_day_spans_its_hours(system, settings):
    settings.TIME_ZONE = "UTC"
    noon = dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)
    for first, moment in [("Early", noon - dt.timedelta(hours=11)), ("Noon", noon)]:
        contact = crm.create_contact(actor=system, firstname=first)
        Contact.objects.filter(pk=contact.pk).update(created_at=moment)

    def created(operator, *values):
        return matching(Contact, "contacts", "createdate", operator, *values)

    assert created(Op.IS, noon) == ["Noon"]
    assert created(Op.IS, noon.date()) == ["Early", "Noon"]
    assert created(Op.AT_LEAST, noon) == ["Noon"]
    assert created(Op.AT_MOST, noon - dt.timedelta(seconds=1)) == ["Early"]
    assert created(Op.AT_MOST, noon.date()) == ["Early", "Noon"]
    assert created(Op.BEFORE, noon) == ["Early"]
    assert created(Op.BETWEEN, noon, noon - dt.timedelta(hours=11)) == ["Early", "Noon"]
    assert created(Op.ANY_OF, noon) == ["Noon"]
