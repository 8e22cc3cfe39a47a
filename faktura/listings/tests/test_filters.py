"""Advanced filters (INV-24): every operator on every property type, AND/OR groups, the URL
format, and clear refusals of bad input. Runs the same on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from faktura.core.properties import object_types
from faktura.crm import services as crm
from faktura.invoices import invoice_payments
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice
from faktura.listings import filters as flt
from faktura.listings import queries
from faktura.listings.tests.querying import listed, state_for
from faktura.sales import services as sales

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def days(n: int) -> str:
    return (TODAY() + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def cities(system):
    made = {
        name: crm.create_contact(actor=system, firstname=name, city=city, email=email)
        for name, city, email in [
            ("Ada", "Oslo", "ada@example.com"),
            ("Grace", "oslo", ""),
            ("Alan", "", "alan@example.org"),
            ("Linus", "Helsinki", "linus@example.fi"),
        ]
    }
    return {name: contact.pk for name, contact in made.items()}


def names(cities, ids):
    return sorted(name for name, pk in cities.items() if pk in ids)


# --- strings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("city:is:OSLO", ["Ada", "Grace"]),  # case does not matter
        ("city:is_not:oslo", ["Alan", "Linus"]),  # a record without a city is "not Oslo"
        ("city:contains:sin", ["Linus"]),
        ("city:not_contains:o", ["Alan", "Linus"]),
        ("city:any_of:oslo, helsinki", ["Ada", "Grace", "Linus"]),
        ("city:known", ["Ada", "Grace", "Linus"]),
        ("city:unknown", ["Alan"]),
        ("email:contains:example.com", ["Ada"]),
    ],
)
def test_string_operators_select_the_records_a_person_expects(
    cities, condition, expected
):  # SPEC INV-24
    assert names(cities, listed("contacts", f"0:{condition}")) == expected


# --- numbers ---------------------------------------------------------------------------------


@pytest.fixture
def totals(system, contact, admin_user):
    made = {}
    for total in ("100", "250", "400"):
        line = {"name": "Work", "unit_price": total, "quantity": "1"}
        made[total] = invoices.create_draft_invoice(
            actor=system,
            contacts=[contact],
            lines=[line],
            owner=admin_user if total == "250" else None,
        ).pk
    return made


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("hs_amount_billed:is:250", ["250"]),
        ("hs_amount_billed:is:250.00", ["250"]),
        ("hs_amount_billed:is_not:250", ["100", "400"]),
        ("hs_amount_billed:gt:100", ["250", "400"]),
        ("hs_amount_billed:lt:250", ["100"]),
        ("hs_amount_billed:between:100,250", ["100", "250"]),  # both ends included
        ("hs_amount_billed:between:250,100", ["100", "250"]),  # ends in either order
        ("hubspot_owner_id:known", ["250"]),
        ("hubspot_owner_id:unknown", ["100", "400"]),
    ],
)
def test_number_operators(totals, condition, expected):  # SPEC INV-24
    found = listed("invoices", f"0:{condition}")
    assert sorted(name for name, pk in totals.items() if pk in found) == expected


def test_number_is_not_keeps_records_without_a_value(totals, admin_user):  # SPEC INV-24
    found = listed("invoices", f"0:hubspot_owner_id:is_not:{admin_user.pk}")
    assert sorted(found) == sorted([totals["100"], totals["400"]])


# --- dates and date-times --------------------------------------------------------------------


@pytest.fixture
def due(system, contact):
    return {
        offset: invoices.create_draft_invoice(
            actor=system,
            contacts=[contact],
            lines=[{"name": "Work", "unit_price": "10"}],
            values={"hs_invoice_date": days(-40), "hs_due_date": days(offset)},
        ).pk
        for offset in (-10, 5, 60)
    }


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (lambda: f"hs_due_date:is:{days(5)}", [5]),
        (lambda: f"hs_due_date:before:{days(0)}", [-10]),
        (lambda: f"hs_due_date:after:{days(5)}", [60]),
        (lambda: f"hs_due_date:between:{days(-10)},{days(5)}", [-10, 5]),
        (lambda: "hs_due_date:last_days:30", [-10]),
        (lambda: "hs_due_date:next_days:30", [5]),
        (lambda: "hs_due_date:next_days:60", [5, 60]),
        (lambda: "hs_due_date:known", [-10, 5, 60]),
    ],
)
def test_date_operators(due, condition, expected):  # SPEC INV-24
    found = listed("invoices", f"0:{condition()}")
    assert sorted(offset for offset, pk in due.items() if pk in found) == expected


def test_date_known_and_unknown_on_an_optional_date(system):  # SPEC INV-24
    with_date = sales.create_deal(actor=system, dealname="Dated", closedate=days(3))
    without = sales.create_deal(actor=system, dealname="Open-ended")
    assert listed("deals", "0:closedate:known") == [with_date.pk]
    assert listed("deals", "0:closedate:unknown") == [without.pk]


def test_datetime_is_on_a_day_in_the_account_time_zone(settings, make_invoice):  # SPEC INV-24
    settings.TIME_ZONE = "Europe/Oslo"
    late = make_invoice(finalized=True)
    draft = make_invoice()
    # 23:30 UTC on March 10 is already March 11 in Oslo.
    Invoice.objects.filter(pk=late.pk).update(
        finalized_at=dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)
    )
    assert listed("invoices", "0:hs_finalized_date:is:2026-03-11") == [late.pk]
    assert listed("invoices", "0:hs_finalized_date:is:2026-03-10") == []
    assert listed("invoices", "0:hs_finalized_date:before:2026-03-11") == []
    assert listed("invoices", "0:hs_finalized_date:after:2026-03-10") == [late.pk]
    assert listed("invoices", "0:hs_finalized_date:between:2026-03-01,2026-03-11") == [late.pk]
    assert listed("invoices", "0:hs_finalized_date:unknown") == [draft.pk]


def test_datetime_in_the_last_and_next_days(make_invoice):  # SPEC INV-24
    recent = make_invoice(finalized=True)
    old = make_invoice(finalized=True)
    Invoice.objects.filter(pk=old.pk).update(finalized_at=timezone.now() - dt.timedelta(days=45))
    assert listed("invoices", "0:hs_finalized_date:last_days:30") == [recent.pk]
    assert sorted(listed("invoices", "0:hs_finalized_date:last_days:60")) == sorted(
        [recent.pk, old.pk]
    )
    assert listed("invoices", "0:hs_finalized_date:next_days:30") == []


# --- enumerations, booleans and computed properties ------------------------------------------


@pytest.fixture
def states(make_invoice, system):
    draft = make_invoice()
    open_ = make_invoice(finalized=True)
    partly = make_invoice(finalized=True)
    invoice_payments.record_invoice_payment(partly, actor=system, amount="50.00")
    paid = make_invoice(finalized=True)
    invoice_payments.record_invoice_payment(paid, actor=system, amount="250.00")
    overdue = make_invoice(
        values={"hs_invoice_date": days(-40), "hs_due_date": days(-12)}, finalized=True
    )
    return {"draft": draft.pk, "open": open_.pk, "partly": partly.pk, "paid": paid.pk,
            "overdue": overdue.pk}  # fmt: skip


def which(states, ids):
    return sorted(name for name, pk in states.items() if pk in ids)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("hs_invoice_status:any_of:draft,paid", ["draft", "paid"]),
        ("hs_invoice_status:any_of:Draft", ["draft"]),  # the label works as well as the code
        ("hs_invoice_status:none_of:draft,open", ["paid"]),
        ("hs_invoice_status:known", ["draft", "open", "overdue", "paid", "partly"]),
        ("hs_invoice_status:unknown", []),
        ("hs_payment_status:any_of:partially_paid", ["partly"]),
        ("hs_payment_status:none_of:unpaid", ["paid", "partly"]),
        ("hs_is_overdue:true", ["overdue"]),
        ("hs_is_overdue:false", ["draft", "open", "paid", "partly"]),
        ("hs_days_overdue:gt:10", ["overdue"]),
        ("hs_days_overdue:is:12", ["overdue"]),
        ("hs_days_overdue:lt:1", ["draft", "open", "paid", "partly"]),
        ("hs_created_by_subscription:false", ["draft", "open", "overdue", "paid", "partly"]),
        ("hs_created_by_subscription:true", []),
    ],
)
def test_enumeration_bool_and_computed_operators(states, condition, expected):  # SPEC INV-24
    assert which(states, listed("invoices", f"0:{condition}")) == expected


def test_computed_expressions_agree_with_the_values_shown(states):  # SPEC INV-24
    invoice_type = object_types.get("invoices")
    for name in ("hs_payment_status", "hs_is_overdue", "hs_days_overdue", "hs_invoice_link"):
        prop = invoice_type.property(name)
        assert prop.compute is not None
        state = state_for("invoices", sort=name)
        for record in queries.ordered(state):
            from_database = getattr(record, flt.annotation_name(prop))
            assert from_database == prop.compute(record), name
            assert type(from_database) is type(prop.compute(record)), name


def test_sorting_by_a_computed_property(states):  # SPEC INV-24
    found = listed("invoices", sort="-hs_days_overdue")
    assert found[0] == states["overdue"]


# --- AND inside a group, OR between groups ---------------------------------------------------


def test_and_inside_a_group_or_between_groups(states):  # SPEC INV-24
    found = listed(
        "invoices",
        "0:hs_invoice_status:any_of:open",
        "0:hs_is_overdue:true",
        "1:hs_payment_status:any_of:paid",
    )
    assert which(states, found) == ["overdue", "paid"]


# --- the URL format and the editor's rows ----------------------------------------------------


def test_filters_round_trip_through_the_url():  # SPEC INV-24
    params = [
        "0:hs_invoice_status:any_of:open,paid",
        "0:hs_due_date:before:2026-01-31",
        "1:hs_amount_billed:between:100,500",
        "1:hs_purchase_order_number:is:PO: 7, rush",  # colons and commas stay in a single value
        "2:hs_comments:unknown",
    ]
    parsed = flt.from_query(object_types.get("invoices"), params)
    assert parsed.errors == []
    assert parsed.to_query() == params
    assert len(parsed.groups) == 3
    assert parsed.groups[1][1].values == ("PO: 7, rush",)
    again = flt.from_json(object_types.get("invoices"), parsed.to_json())
    assert again.to_query() == params


@pytest.mark.parametrize(
    ("param", "words"),
    [
        ("0:hs_due_date:last_days:1", "Due date is in the last 1 day"),
        ("0:hs_due_date:next_days:7", "Due date is in the next 7 days"),
    ],
)
def test_a_number_of_days_is_described_in_proper_plurals(param, words):
    [[condition]] = flt.from_query(object_types.get("invoices"), [param]).groups
    assert condition.describe() == words


def test_editor_rows_become_groups_in_the_order_shown():  # SPEC INV-24
    data = QueryDict(mutable=True)
    for row, group, prop, op, values in [
        ("a1", "g1", "hs_invoice_status", "any_of", ["open", "paid"]),
        ("b2", "g2", "hs_amount_billed", "between", ["10", "20"]),
        ("c3", "g1", "hs_due_date", "last_days", ["7"]),
        ("d4", "g2", "", "is", []),  # a row without a property is not a filter yet
    ]:
        data[f"f-{row}-group"] = group
        data[f"f-{row}-prop"] = prop
        data[f"f-{row}-op"] = op
        data.setlist(f"f-{row}-value", values)
    parsed = flt.from_rows(object_types.get("invoices"), data)
    assert parsed.to_query() == [
        "0:hs_invoice_status:any_of:open,paid",
        "0:hs_due_date:last_days:7",
        "1:hs_amount_billed:between:10,20",
    ]


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("0:nonsense:is:1", "Invoices have no property 'nonsense'"),
        ("0:hs_contacts:contains:Ada", "cannot be filtered on"),
        ("0:hs_invoice_status:gt:1", "'gt' is not a way to filter Invoice status. Use one of"),
        ("0:hs_amount_billed", "is incomplete"),
    ],
)
def test_filters_that_cannot_be_used_are_refused_with_a_reason(param, message):  # SPEC INV-24
    parsed = flt.from_query(object_types.get("invoices"), [param])
    assert parsed.groups == ()
    assert any(message in error for error in parsed.errors), parsed.errors


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("0:hs_amount_billed:gt:abc", "'abc' is not a number"),
        ("0:hs_amount_billed:gt:NaN", "'NaN' is not a number"),
        ("0:hs_amount_billed:gt:", "Enter a value to compare with"),
        ("0:hs_amount_billed:between:5", "Enter both ends of the range"),
        ("0:hs_due_date:before:2026-13-01", "is not a date. Enter it as YYYY-MM-DD"),
        ("0:hs_due_date:last_days:-3", "is not a number of days"),
        ("0:hs_invoice_status:any_of:nope", "'nope' is not a Invoice status. Pick from: Draft"),
        ("0:hs_invoice_status:any_of:", "Pick at least one value"),
    ],
)
def test_bad_values_name_the_filter_and_say_what_to_enter(param, message):  # SPEC INV-24
    parsed = flt.from_query(object_types.get("invoices"), [param])
    assert len(parsed.errors) == 1
    assert parsed.errors[0].startswith("Filter 1 (")
    assert message in parsed.errors[0]


def test_too_many_groups_are_refused():  # SPEC INV-24
    params = [f"{g}:hs_comments:known" for g in range(flt.MAX_GROUPS + 1)]
    parsed = flt.from_query(object_types.get("invoices"), params)
    assert any("at most 10 groups" in error for error in parsed.errors)


def test_index_page_answers_bad_filters_with_a_message_not_an_error(
    client, editor_user, make_invoice
):  # SPEC INV-24
    make_invoice()
    client.force_login(editor_user)
    response = client.get("/invoices/?f=0:hs_amount_billed:gt:abc&f=0:hs_due_date:before:soon")
    assert response.status_code == 400
    page = response.content.decode()
    assert "These filters cannot be applied" in page
    assert "&#x27;abc&#x27; is not a number" in page
    assert "is not a date" in page
    assert 'name="ids"' not in page  # no rows shown for a filter that was not applied
