"""HubSpot's CRM search, POST /crm/v3/objects/{type}/search, over HTTP with a real token.

Every operator HubSpot lists, on text (contacts), numbers (products) and dates and enumerations
(invoices); sorts and the default order; the free-text `query`; paging with `after` and `total`;
which properties a result carries; refusals as 400 VALIDATION_ERROR; archived records; the dated
path family; and line items, whose records live in two tables (ADR 0006). Semantics from the
reference, H-38 and H-39. AND/OR groups and the size limits are covered in test_objects.py.
"""

import datetime as dt
from typing import Any

import pytest

from faktura.api.tests.conftest import ApiClient
from faktura.core.actors import Actor
from faktura.crm import services as crm
from faktura.crm.models import Contact
from faktura.invoices import invoice_payments
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice

pytestmark = pytest.mark.django_db

V3 = "/crm/v3/objects"
ADA, BOB, CY = "ada@example.com", "bob@x.org", "cy@x.org"


# --- helpers ---------------------------------------------------------------------------------


def create(api: ApiClient, object_type: str, **properties: str) -> dict[str, Any]:
    response = api.post(f"{V3}/{object_type}", {"properties": properties})
    assert response.status_code == 201, response.json()
    return response.json()


def search(
    api: ApiClient, object_type: str, body: dict[str, Any] | None = None, *, base: str = V3
) -> dict[str, Any]:
    response = api.post(f"{base}/{object_type}/search", body or {})
    assert response.status_code == 200, response.json()
    return response.json()


def where(name: str, operator: str, **value: Any) -> dict[str, Any]:
    """A search body with one filter: where("price", "GT", value="10")."""
    return {"filterGroups": [{"filters": [{"propertyName": name, "operator": operator, **value}]}]}


def column(found: dict[str, Any], name: str) -> list[str | None]:
    """One property of every result, in the order returned."""
    return [result["properties"][name] for result in found["results"]]


def epoch_ms(moment: str) -> str:
    """An ISO date or moment (UTC) as HubSpot's epoch-milliseconds string."""
    parsed = dt.datetime.fromisoformat(moment)
    return str(int(parsed.replace(tzinfo=parsed.tzinfo or dt.UTC).timestamp() * 1000))


def actor() -> Actor:
    return Actor.system("tests")


def invoice(po: str, invoice_date: str, *prices: str) -> Invoice:
    """A draft with a purchase order number to tell it by, and a line per price."""
    return invoices.create_draft_invoice(
        actor=actor(),
        values={"hs_purchase_order_number": po, "hs_invoice_date": invoice_date},
        lines=[{"name": f"Work {n}", "unit_price": price} for n, price in enumerate(prices)],
    )


# --- records ---------------------------------------------------------------------------------


@pytest.fixture
def people(api: ApiClient) -> list[str]:
    """Three contacts, by id: Ada in Oslo, Bob with no last name or city, Cyrus in Bergen."""
    rows = (
        {"email": ADA, "firstname": "Ada", "lastname": "Lovelace", "city": "Oslo"},
        {"email": BOB, "firstname": "Bob"},
        {"email": CY, "firstname": "Cyrus", "lastname": "Smith-Jones", "city": "Bergen"},
    )
    return [create(api, "contacts", **row)["id"] for row in rows]


@pytest.fixture
def products(api: ApiClient) -> None:
    """Three products whose id order (Widget, Gadget, Doohickey) is not their price order."""
    for name, price in (("Widget", "20"), ("Gadget", "5"), ("Doohickey", "12.50")):
        create(api, "products", name=name, price=price)


@pytest.fixture
def dated_invoices() -> None:
    """Drafts dated the 15th of January, February and March 2026."""
    for month in (1, 2, 3):
        invoice(f"PO-{month}", f"2026-{month:02}-15")


@pytest.fixture
def invoice_statuses() -> None:
    """One draft (PO-D), one open (PO-O, INV-1) and one voided (PO-V, INV-2) invoice."""
    buyer = crm.create_contact(actor=actor(), email="buyer@example.com")
    invoice("PO-D", "2026-01-15", "100")
    opened, voided = (invoice(po, "2026-01-15", "100") for po in ("PO-O", "PO-V"))
    for draft in (opened, voided):
        invoices.update_invoice(draft, actor=actor(), contacts=[buyer])
        invoices.finalize_invoice(draft, actor=actor())
    invoices.void_invoice(voided, actor=actor())


# --- operators -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "operator", "value", "emails"),
    [
        pytest.param("city", "EQ", {"value": "OSLO"}, [ADA], id="EQ ignores case"),
        pytest.param("city", "NEQ", {"value": "oslo"}, [BOB, CY],
                     id="NEQ keeps records without a value"),
        pytest.param("city", "IN", {"values": ["oslo", "BERGEN"]}, [ADA, CY], id="IN ignores case"),
        pytest.param("city", "NOT_IN", {"values": ["oslo"]}, [BOB, CY],
                     id="NOT_IN keeps records without a value"),
        pytest.param("city", "HAS_PROPERTY", {}, [ADA, CY], id="HAS_PROPERTY"),
        pytest.param("city", "NOT_HAS_PROPERTY", {}, [BOB], id="NOT_HAS_PROPERTY"),
        pytest.param("lastname", "CONTAINS_TOKEN", {"value": "JONES"}, [CY],
                     id="CONTAINS_TOKEN finds a word inside the value, any case"),
        pytest.param("lastname", "CONTAINS_TOKEN", {"value": "love"}, [],
                     id="CONTAINS_TOKEN without a wildcard needs the whole word"),
        pytest.param("lastname", "CONTAINS_TOKEN", {"value": "love*"}, [ADA],
                     id="CONTAINS_TOKEN with a trailing wildcard"),
        pytest.param("email", "CONTAINS_TOKEN", {"value": "*x.org"}, [BOB, CY],
                     id="CONTAINS_TOKEN with a leading wildcard"),
        pytest.param("lastname", "NOT_CONTAINS_TOKEN", {"value": "smith"}, [ADA, BOB],
                     id="NOT_CONTAINS_TOKEN keeps records without a value"),
    ],
)  # fmt: skip
def test_each_text_operator_finds_exactly_its_contacts(api, people, name, operator, value, emails):
    found = search(api, "contacts", {**where(name, operator, **value), "properties": ["email"]})
    assert column(found, "email") == emails
    assert found["total"] == len(emails)


@pytest.mark.parametrize(
    ("operator", "value", "names"),
    [
        ("EQ", {"value": "12.5"}, ["Doohickey"]),
        ("NEQ", {"value": "12.50"}, ["Widget", "Gadget"]),
        ("LT", {"value": "12.5"}, ["Gadget"]),
        ("LTE", {"value": "12.5"}, ["Gadget", "Doohickey"]),
        ("GT", {"value": "12.5"}, ["Widget"]),
        ("GTE", {"value": "12.5"}, ["Widget", "Doohickey"]),
        ("BETWEEN", {"value": "5", "highValue": "12.5"}, ["Gadget", "Doohickey"]),
        ("IN", {"values": ["5", "20.00"]}, ["Widget", "Gadget"]),
        ("NOT_IN", {"values": ["5", "20.00"]}, ["Doohickey"]),
    ],
)
def test_each_number_operator_compares_product_prices_as_numbers(
    api, products, operator, value, names
):
    found = search(api, "products", {**where("price", operator, **value), "properties": ["name"]})
    assert column(found, "name") == names


@pytest.mark.parametrize(
    ("operator", "value", "orders"),
    [
        pytest.param("GTE", {"value": epoch_ms("2026-02-15")}, ["PO-2", "PO-3"], id="GTE epoch ms"),
        pytest.param("LT", {"value": "2026-02-15"}, ["PO-1"], id="LT ISO date"),
        pytest.param("EQ", {"value": "2026-03-15T00:00:00Z"}, ["PO-3"], id="EQ ISO moment"),
        pytest.param("BETWEEN", {"value": epoch_ms("2026-01-01"), "highValue": "2026-02-15"},
                     ["PO-1", "PO-2"], id="BETWEEN epoch ms and ISO, both ends included"),
    ],
)  # fmt: skip
def test_a_date_property_compares_with_epoch_milliseconds_or_iso_dates(
    api, dated_invoices, operator, value, orders
):
    body = {
        **where("hs_invoice_date", operator, **value),
        "properties": ["hs_purchase_order_number"],
    }
    assert column(search(api, "invoices", body), "hs_purchase_order_number") == orders


def test_a_datetime_property_compares_with_an_iso_moment_or_epoch_milliseconds(api, people):
    for contact_id, day in zip(people, ("2026-01-10", "2026-02-10", "2026-03-10"), strict=True):
        Contact.objects.filter(pk=contact_id).update(
            created_at=dt.datetime.fromisoformat(f"{day}T12:00:00+00:00")
        )
    after = where("createdate", "GT", value="2026-02-10T11:59:59Z")
    before = where("createdate", "LT", value=epoch_ms("2026-02-10T12:00:01"))
    assert column(search(api, "contacts", after), "email") == [BOB, CY]
    assert column(search(api, "contacts", before), "email") == [ADA, BOB]


def test_an_enumeration_matches_any_of_its_options_with_in(api, invoice_statuses):
    body = {
        **where("hs_invoice_status", "IN", values=["draft", "open"]),
        "properties": ["hs_purchase_order_number", "hs_invoice_status"],
    }
    found = search(api, "invoices", body)
    assert column(found, "hs_purchase_order_number") == ["PO-D", "PO-O"]
    assert column(found, "hs_invoice_status") == ["draft", "open"]


def test_an_enumeration_compares_exactly_unlike_text(api, invoice_statuses):
    """H-39: enumeration values are case-sensitive for every operator."""
    assert search(api, "invoices", where("hs_invoice_status", "EQ", value="OPEN"))["total"] == 0
    assert search(api, "invoices", where("hs_invoice_status", "EQ", value="open"))["total"] == 1


# --- sorts and query -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sorts", "names"),
    [
        pytest.param([], ["Widget", "Gadget", "Doohickey"], id="no sort: by id"),
        pytest.param([{"propertyName": "price", "direction": "ASCENDING"}],
                     ["Gadget", "Doohickey", "Widget"], id="ascending"),
        pytest.param([{"propertyName": "price", "direction": "DESCENDING"}],
                     ["Widget", "Doohickey", "Gadget"], id="descending"),
        pytest.param([{"propertyName": "price"}], ["Gadget", "Doohickey", "Widget"],
                     id="ascending unless told"),
        pytest.param(["-price"], ["Widget", "Doohickey", "Gadget"],
                     id="a string, - for descending"),
    ],
)  # fmt: skip
def test_sorts_order_products_by_price(api, products, sorts, names):
    found = search(api, "products", {"sorts": sorts, "properties": ["name"]})
    assert column(found, "name") == names


@pytest.mark.parametrize(
    ("text", "emails"),
    [
        pytest.param("LOVE", [ADA], id="last name, any case"),
        pytest.param("cy", [CY], id="first name"),
        pytest.param("x.org", [BOB, CY], id="email"),
        pytest.param("Oslo", [], id="not the city: not a search property"),
    ],
)
def test_query_looks_in_first_name_last_name_and_email(api, people, text, emails):
    found = search(api, "contacts", {"query": text})
    assert column(found, "email") == emails
    assert found["total"] == len(emails)


def test_a_query_of_digits_finds_the_record_with_that_id(api, people):
    assert column(search(api, "contacts", {"query": people[1]}), "email") == [BOB]


def test_query_on_invoices_looks_in_number_and_purchase_order_number(api, invoice_statuses):
    by_number = search(api, "invoices", {"query": "inv-", "properties": ["hs_number"]})
    assert column(by_number, "hs_number") == ["INV-1", "INV-2"]
    by_order = search(
        api, "invoices", {"query": "po-d", "properties": ["hs_purchase_order_number"]}
    )
    assert column(by_order, "hs_purchase_order_number") == ["PO-D"]


# --- paging and properties -------------------------------------------------------------------


def test_paging_with_limit_and_after_reports_the_full_total_on_every_page(api):
    for n in range(6):
        create(api, "contacts", email=f"p{n}@example.com", city="Bergen" if n == 3 else "Oslo")
    body = {**where("city", "EQ", value="Oslo"), "limit": 2, "properties": ["email"]}
    pages = []
    after: str | None = None
    while True:
        found = search(api, "contacts", {**body, **({"after": after} if after else {})})
        assert found["total"] == 5
        pages.append(column(found, "email"))
        after = found.get("paging", {}).get("next", {}).get("after")
        if after is None:
            break
        assert after == str(2 * len(pages))
    assert pages == [
        ["p0@example.com", "p1@example.com"],
        ["p2@example.com", "p4@example.com"],
        ["p5@example.com"],
    ]


def test_a_page_past_the_end_is_empty_with_the_total_and_no_next(api, people):
    found = search(api, "contacts", {"after": "10"})
    assert found == {"total": 3, "results": []}


def test_properties_asked_for_come_with_the_id_and_dates_and_unknown_names_are_ignored(api, people):
    found = search(api, "contacts", {"properties": ["city", "shoe"], "limit": 1})
    assert found["results"][0]["properties"] == {
        "city": "Oslo",
        "hs_object_id": people[0],
        "createdate": found["results"][0]["createdAt"],
        "hs_lastmodifieddate": found["results"][0]["updatedAt"],
    }


def test_without_properties_a_result_carries_the_types_defaults(api, people):
    [first] = search(api, "contacts", {"limit": 1})["results"]
    assert set(first["properties"]) == {
        "email",
        "firstname",
        "lastname",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }
    assert first["properties"]["lastname"] == "Lovelace"


# --- refusals --------------------------------------------------------------------------------


def _filters(count: int) -> list[dict[str, Any]]:
    return [{"propertyName": "city", "operator": "EQ", "value": "Oslo"}] * count


@pytest.mark.parametrize(
    ("object_type", "body", "code", "phrase"),
    [
        pytest.param("contacts", where("city", "LIKE", value="Oslo"), "INVALID_OPERATOR",
                     "Unknown operator 'LIKE'. Use one of: EQ, NEQ", id="unknown operator"),
        pytest.param("products", where("price", "BETWEEN", value="5"), "INVALID_FILTER",
                     "A value is needed to filter on price", id="BETWEEN without highValue"),
        pytest.param("contacts", where("city", "IN", value="Oslo"), "INVALID_FILTER",
                     "IN needs `values` for city", id="IN without values"),
        pytest.param("products", where("price", "GT", value="cheap"), "INVALID_FILTER",
                     "'cheap' is not a valid number to filter price by", id="a word for a number"),
        pytest.param("invoices", where("hs_invoice_date", "GT", value="2026-13-45"),
                     "INVALID_FILTER", "is not a valid date to filter hs_invoice_date",
                     id="an impossible date"),
        pytest.param("contacts", {"filterGroups": [{"filters": _filters(5)}] * 4},
                     "TOO_MANY_FILTERS", "There are 20 filters in all; a search allows at most 18",
                     id="20 filters in 4 groups of 5"),
        pytest.param("contacts", {"sorts": [{"propertyName": "shoe"}]}, "INVALID_SORT",
                     "Cannot sort by 'shoe': it is not a sortable property of contacts",
                     id="sort on an unknown property"),
        pytest.param("invoices", {"sorts": ["hs_contacts"]}, "INVALID_SORT",
                     "Cannot sort by 'hs_contacts'",
                     id="sort on a property the database cannot order"),
        pytest.param("contacts", {"sorts": ["associations.company"]}, "INVALID_SORT",
                     "Cannot sort by 'associations.company'", id="sort on an association"),
        pytest.param("contacts", {"sorts": ["email", "city"]}, "TOO_MANY_SORTS",
                     "A search allows one sort rule", id="two sort rules"),
        pytest.param("contacts", {"after": "next"}, "INVALID_AFTER",
                     "after must be an integer string", id="after not a number"),
    ],
)  # fmt: skip
def test_invalid_searches_are_refused_with_a_helpful_validation_error(
    api, object_type, body, code, phrase
):
    response = api.post(f"{V3}/{object_type}/search", body)
    assert response.status_code == 400
    error = response.json()
    assert error["category"] == "VALIDATION_ERROR"
    assert phrase in error["message"]
    assert error["errors"][0]["code"] == code


# --- which records, where --------------------------------------------------------------------


def test_archived_contacts_are_not_found(api, people):
    assert api.delete(f"{V3}/contacts/{people[0]}").status_code == 204
    assert column(search(api, "contacts"), "email") == [BOB, CY]
    assert search(api, "contacts", {"query": "Lovelace"}) == {"total": 0, "results": []}
    assert search(api, "contacts", {"query": people[0]}) == {"total": 0, "results": []}


def test_the_dated_path_family_searches_the_same_records(api, people):
    body = {**where("email", "CONTAINS_TOKEN", value="*x.org"), "sorts": ["-email"]}
    dated = search(api, "contacts", body, base="/crm/objects/2026-03")
    assert dated == search(api, "contacts", body)
    assert column(dated, "email") == [CY, BOB]


@pytest.fixture
def lines_in_both_tables(api: ApiClient) -> list[str]:
    """Line items by id: Setup (unattached), Design and Hosting (an invoice's lines), then
    Support (unattached). Ids come from one counter, so the tables interleave."""
    setup = create(api, "line_items", name="Setup", price="80", quantity="1")
    draft = invoices.create_draft_invoice(
        actor=actor(),
        lines=[{"name": "Design", "unit_price": "100"}, {"name": "Hosting", "unit_price": "20"}],
    )
    support = create(api, "line_items", name="Support", price="50", quantity="1")
    invoice_lines = [str(pk) for pk in draft.lines.order_by("id").values_list("id", flat=True)]
    return [setup["id"], *invoice_lines, support["id"]]


def test_line_items_search_merges_both_tables_in_id_order(api, lines_in_both_tables):
    found = search(api, "line_items", {"properties": ["name"]})
    assert [r["id"] for r in found["results"]] == lines_in_both_tables
    assert column(found, "name") == ["Setup", "Design", "Hosting", "Support"]
    assert found["total"] == 4
    first = search(api, "line_items", {"limit": 3, "properties": ["name"]})
    assert column(first, "name") == ["Setup", "Design", "Hosting"]
    assert first["paging"] == {"next": {"after": "3"}}
    rest = search(api, "line_items", {"limit": 3, "after": "3", "properties": ["name"]})
    assert column(rest, "name") == ["Support"]
    assert rest["total"] == 4
    assert "paging" not in rest


def test_line_items_filters_sorts_and_query_span_both_tables(api, lines_in_both_tables):
    dearest = {
        **where("price", "GTE", value="50"),
        "sorts": [{"propertyName": "price", "direction": "DESCENDING"}],
        "properties": ["name"],
    }
    assert column(search(api, "line_items", dearest), "name") == ["Design", "Setup", "Support"]
    assert column(search(api, "line_items", {"query": "host"}), "name") == ["Hosting"]
    assert column(search(api, "line_items", {"query": "SUP"}), "name") == ["Support"]


# --- edge cases a review found (each was a 500 or a wrong page) --------------------------------


def test_paging_line_items_sorted_by_a_property_some_lack_shows_every_line_once(api):
    product = create(api, "products", name="Widget", price="5")["id"]
    for unattached in (
        {"name": "A"},
        {"name": "B", "hs_product_id": product},
        {"name": "C"},
        {"name": "D", "hs_product_id": product},
    ):
        create(api, "line_items", price="10", **unattached)
    invoices.create_draft_invoice(
        actor=actor(),
        lines=[
            {"name": "E", "unit_price": "1"},
            {"name": "F", "unit_price": "1", "product_id": int(product)},
            {"name": "G", "unit_price": "1"},
        ],
    )
    for direction in ("ASCENDING", "DESCENDING"):
        body = {
            "sorts": [{"propertyName": "hs_product_id", "direction": direction}],
            "limit": 2,
            "properties": ["name"],
        }
        seen: list[str | None] = []
        for after in ("0", "2", "4", "6"):
            seen += column(search(api, "line_items", {**body, "after": after}), "name")
        assert sorted(seen, key=str) == ["A", "B", "C", "D", "E", "F", "G"], direction


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999999", "1e-999999"])
def test_a_number_value_that_is_not_a_storable_number_is_refused(api, products, value):
    response = api.post(f"{V3}/products/search", where("price", "GT", value=value))
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_FILTER"


def test_contains_token_without_a_value_is_refused(api, people):
    response = api.post(f"{V3}/contacts/search", where("city", "CONTAINS_TOKEN"))
    assert response.status_code == 400
    assert "A value is needed to filter on city" in response.json()["message"]


def test_a_query_of_a_digit_like_character_is_searched_as_text(api, people):
    assert search(api, "contacts", {"query": "²"}) == {"total": 0, "results": []}


@pytest.mark.parametrize("rule", [5, None])
def test_a_sort_rule_that_is_neither_text_nor_an_object_is_refused(api, people, rule):
    response = api.post(f"{V3}/contacts/search", {"sorts": [rule]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_SORT"


# --- associations ------------------------------------------------------------------------------


def test_records_are_found_by_the_records_associated_with_them(api, system, make_invoice, grace):
    adas, graces = make_invoice(finalized=True), make_invoice(finalized=True, contacts=[grace])
    paid = invoice_payments.record_invoice_payment(graces, actor=system, amount="10")

    def ids(object_type: str, body: dict[str, Any]) -> list[str]:
        return [result["id"] for result in search(api, object_type, body)["results"]]

    by_grace = where("associations.contact", "EQ", value=str(grace.pk))
    assert ids("invoices", by_grace) == [str(graces.pk)]
    by_adas_contacts = where(
        "associations.contact", "IN", values=[str(c.pk) for c in adas.contacts.all()]
    )
    assert ids("invoices", by_adas_contacts) == [str(adas.pk)]
    assert ids("commerce_payments", where("associations.invoice", "EQ", value=str(graces.pk))) == [
        str(paid.pk)
    ]
    assert ids("invoices", where("associations.payment", "EQ", value=str(paid.pk))) == [
        str(graces.pk)
    ]
