"""HubSpot's object endpoints over HTTP with a real token: shapes, status codes, limits and
refusals as HubSpot's clients expect them (reference §C)."""

from decimal import Decimal

import pytest

from faktura.api.tests.conftest import ApiClient
from faktura.crm.models import Contact
from faktura.invoices.models import Invoice, InvoiceStatus

pytestmark = pytest.mark.django_db

V3 = "/crm/v3/objects"


def contact(api: ApiClient, email: str = "ada@example.com", **more: str) -> dict:
    response = api.post(f"{V3}/contacts", {"properties": {"email": email, **more}})
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_read_and_update_a_contact_with_every_value_a_string(api):
    created = contact(api, firstname="Ada", lastname="Lovelace")
    assert created["properties"]["email"] == "ada@example.com"
    assert created["archived"] is False
    assert created["createdAt"].endswith("Z")
    assert all(isinstance(v, str | None) for v in created["properties"].values())

    read = api.get(f"{V3}/contacts/{created['id']}", properties="firstname,lastname").json()
    assert read["properties"]["firstname"] == "Ada"
    assert read["properties"]["hs_object_id"] == created["id"]

    patched = api.patch(f"{V3}/contacts/{created['id']}", {"properties": {"city": "London"}})
    assert patched.status_code == 200
    assert patched.json()["properties"]["city"] == "London"


def test_the_dated_path_family_and_type_ids_reach_the_same_records(api):
    created = contact(api)
    for path in (f"/crm/objects/2026-03/contacts/{created['id']}", f"{V3}/0-1/{created['id']}"):
        assert api.get(path).json()["id"] == created["id"]


def test_list_pages_with_after_until_no_next(api):
    ids = [contact(api, email=f"p{n}@example.com")["id"] for n in range(5)]
    first = api.get(f"{V3}/contacts", limit=2).json()
    assert [r["id"] for r in first["results"]] == ids[:2]
    after = first["paging"]["next"]["after"]
    second = api.get(f"{V3}/contacts", limit=2, after=after).json()
    assert [r["id"] for r in second["results"]] == ids[2:4]
    last = api.get(f"{V3}/contacts", limit=2, after=second["paging"]["next"]["after"]).json()
    assert [r["id"] for r in last["results"]] == ids[4:]
    assert "paging" not in last


def test_unknown_property_is_a_validation_error_in_hubspots_body(api):
    response = api.post(f"{V3}/contacts", {"properties": {"email": "x@example.com", "shoe": "9"}})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == "VALIDATION_ERROR"
    assert body["correlationId"]
    assert body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert body["errors"][0]["context"] == {"propertyName": ["shoe"]}


def test_missing_or_wrong_token_is_401_and_missing_scope_is_403(client, token_for):
    assert client.get(f"{V3}/contacts").status_code == 401
    wrong = client.get(f"{V3}/contacts", headers={"Authorization": "Bearer fk_nope"})
    assert wrong.status_code == 401
    assert wrong.json()["category"] == "INVALID_AUTHENTICATION"
    reader = ApiClient(client, token_for("crm.objects.contacts.read", name="reader"))
    assert reader.get(f"{V3}/contacts").status_code == 200
    refused = reader.post(f"{V3}/contacts", {"properties": {"email": "x@example.com"}})
    assert refused.status_code == 403
    assert refused.json()["category"] == "MISSING_SCOPES"
    assert reader.get(f"{V3}/invoices").status_code == 403


def test_unknown_record_and_unknown_type_are_404(api):
    assert api.get(f"{V3}/contacts/999999").status_code == 404
    assert api.get(f"{V3}/contacts/abc").status_code == 404
    assert api.get(f"{V3}/spaceships").status_code == 404


def invoice_with_contact_and_line(api: ApiClient) -> dict:
    ada = contact(api, firstname="Ada")
    created = api.post(
        f"{V3}/invoices",
        {
            "properties": {"hs_currency": "USD", "hs_invoice_date": "1795000000000"},
            "associations": [
                {"to": {"id": ada["id"]}, "types": [{"associationTypeId": 177}]},
            ],
        },
    )
    assert created.status_code == 201, created.json()
    invoice = Invoice.objects.get(pk=created.json()["id"])
    from faktura.core.actors import Actor
    from faktura.invoices import services

    services.update_invoice(
        invoice,
        actor=Actor.system("tests"),
        lines=[{"name": "Consulting hour", "unit_price": "100", "quantity": "2"}],
    )
    return created.json()


# SPEC INV-5
def test_invoice_goes_open_through_the_status_property_and_illegal_moves_are_refused(api):
    invoice = invoice_with_contact_and_line(api)
    path = f"{V3}/invoices/{invoice['id']}"
    opened = api.patch(path, {"properties": {"hs_invoice_status": "open"}})
    assert opened.status_code == 200, opened.json()
    shown = api.get(path, properties="hs_invoice_status,hs_number,hs_balance_due").json()
    assert shown["properties"]["hs_invoice_status"] == "open"
    assert shown["properties"]["hs_number"].startswith("INV-")
    assert shown["properties"]["hs_balance_due"] == "200"

    back = api.patch(path, {"properties": {"hs_invoice_status": "draft"}})
    assert back.status_code == 400
    assert "cannot go from open to draft" in back.json()["message"]
    paid = api.patch(path, {"properties": {"hs_invoice_status": "paid"}})
    assert paid.status_code == 400
    assert "association type 542" in paid.json()["message"]


# SPEC INV-5
def test_open_needs_a_contact_and_a_line_item(api):
    created = api.post(f"{V3}/invoices", {"properties": {"hs_currency": "USD"}}).json()
    response = api.patch(
        f"{V3}/invoices/{created['id']}", {"properties": {"hs_invoice_status": "open"}}
    )
    assert response.status_code == 400
    assert Invoice.objects.get(pk=created["id"]).status == InvoiceStatus.DRAFT


# SPEC INV-11
def test_a_payment_associated_with_type_542_pays_the_invoice(api):
    invoice = invoice_with_contact_and_line(api)
    api.patch(f"{V3}/invoices/{invoice['id']}", {"properties": {"hs_invoice_status": "open"}})
    payment = api.post(
        f"{V3}/commerce_payments",
        {
            "properties": {
                "hs_initial_amount": "200.00",
                "hs_initiated_date": "2026-11-20",
                "hs_latest_status": "succeeded",
            },
            "associations": [{"to": {"id": invoice["id"]}, "types": [{"associationTypeId": 542}]}],
        },
    )
    assert payment.status_code == 201, payment.json()
    stored = Invoice.objects.get(pk=invoice["id"])
    assert stored.status == InvoiceStatus.PAID
    assert stored.amount_paid == Decimal("200.00")
    linked = api.get(f"{V3}/invoices/{invoice['id']}", associations="commerce_payments").json()
    assert linked["associations"]["commerce_payments"]["results"] == [
        {"id": payment.json()["id"], "type": "invoice_to_payment"}
    ]


# SPEC INV-16
def test_properties_with_history_newest_first_with_their_source(api):
    invoice = invoice_with_contact_and_line(api)
    api.patch(f"{V3}/invoices/{invoice['id']}", {"properties": {"hs_invoice_status": "open"}})
    read = api.get(
        f"{V3}/invoices/{invoice['id']}", propertiesWithHistory="hs_invoice_status"
    ).json()
    history = read["propertiesWithHistory"]["hs_invoice_status"]
    assert [h["value"] for h in history] == ["open", "draft"]
    assert history[0]["sourceType"] == "API"


def test_a_batch_create_with_a_refused_input_writes_nothing_and_names_it(api):
    response = api.post(
        f"{V3}/contacts/batch/create",
        {
            "inputs": [
                {"properties": {"email": "one@example.com"}},
                {"properties": {"nope": "x"}, "objectWriteTraceId": "second"},
            ]
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert "1 of 2 inputs were refused, so none was written" in body["message"]
    [error] = body["errors"]
    assert error["context"]["objectWriteTraceId"] == ["second"]
    assert error["context"]["inputIndex"] == ["1"]
    assert not Contact.objects.filter(email="one@example.com").exists()


def test_batch_read_update_and_archive(api):
    ids = [contact(api, email=f"b{n}@example.com")["id"] for n in range(3)]
    read = api.post(
        f"{V3}/contacts/batch/read",
        {"inputs": [{"id": i} for i in ids], "properties": ["email"]},
    )
    assert read.status_code == 200
    assert sorted(r["properties"]["email"] for r in read.json()["results"]) == [
        "b0@example.com",
        "b1@example.com",
        "b2@example.com",
    ]
    updated = api.post(
        f"{V3}/contacts/batch/update",
        {"inputs": [{"id": ids[0], "properties": {"city": "Oslo"}}]},
    )
    assert updated.json()["results"][0]["properties"]["city"] == "Oslo"
    too_many = api.post(f"{V3}/contacts/batch/read", {"inputs": [{"id": "1"}] * 101})
    assert too_many.status_code == 400


def test_search_ands_inside_a_group_and_ors_between_groups(api):
    for email, city in (("a@x.org", "Oslo"), ("b@x.org", "Bergen"), ("c@y.org", "Oslo")):
        contact(api, email=email, city=city)
    body = {
        "filterGroups": [
            {"filters": [
                {"propertyName": "city", "operator": "EQ", "value": "oslo"},
                {"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*x.org"},
            ]},
            {"filters": [{"propertyName": "city", "operator": "EQ", "value": "Bergen"}]},
        ],
        "sorts": [{"propertyName": "email", "direction": "DESCENDING"}],
        "properties": ["email"],
    }  # fmt: skip
    found = api.post(f"{V3}/contacts/search", body).json()
    assert found["total"] == 2
    assert [r["properties"]["email"] for r in found["results"]] == ["b@x.org", "a@x.org"]


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ({"filterGroups": [{"filters": [{"propertyName": "city", "operator": "EQ",
                                         "value": "x"}]}] * 6}, "at most 5"),
        ({"filterGroups": [{"filters": [{"propertyName": "city", "operator": "EQ",
                                         "value": "x"}] * 7}]}, "at most 6"),
        ({"limit": 201}, "between 1 and 200"),
        ({"filterGroups": [{"filters": [{"propertyName": "shoe", "operator": "EQ",
                                         "value": "x"}]}]}, 'Property "shoe" does not exist'),
        ({"after": "9999", "limit": 10}, "at most 10,000"),
    ],
)  # fmt: skip
def test_search_limits_are_refused_as_validation_errors(api, body, phrase):
    response = api.post(f"{V3}/contacts/search", body)
    assert response.status_code == 400
    assert phrase in response.json()["message"]


def test_properties_endpoint_describes_the_declared_properties(api):
    response = api.get("/crm/v3/properties/invoices")
    assert response.status_code == 200
    by_name = {p["name"]: p for p in response.json()["results"]}
    status = by_name["hs_invoice_status"]
    assert status["type"] == "enumeration"
    assert [o["value"] for o in status["options"]] == ["draft", "open", "paid", "voided"]
    assert api.get("/crm/v3/properties/invoices/hs_currency").json()["type"] == "string"
    assert api.get("/crm/v3/properties/invoices/shoe").status_code == 404


def test_openapi_schema_is_served(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/crm/v3/objects/{object_type}/search" in schema["paths"]


def test_associations_v4_default_labelled_list_and_delete(api):
    invoice = api.post(f"{V3}/invoices", {"properties": {"hs_currency": "USD"}}).json()
    ada, bob = contact(api), contact(api, email="bob@example.com")
    base = f"/crm/v4/objects/invoices/{invoice['id']}/associations"
    default = api.call("put", f"{base}/default/contacts/{ada['id']}")
    assert default.status_code == 200
    spec = default.json()["results"][0]["associationSpec"]
    assert spec["associationTypeId"] == 177
    labelled = api.call(
        "put",
        f"{base}/contacts/{bob['id']}",
        [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 177}],
    )
    assert labelled.status_code == 201
    assert labelled.json()["fromObjectTypeId"] == "0-53"
    listed = api.get(f"{base}/contacts").json()["results"]
    assert [r["toObjectId"] for r in listed] == [int(ada["id"]), int(bob["id"])]
    assert listed[0]["associationTypes"][0]["typeId"] == 177
    assert api.delete(f"{base}/contacts/{ada['id']}").status_code == 204
    assert [r["toObjectId"] for r in api.get(f"{base}/contacts").json()["results"]] == [
        int(bob["id"])
    ]
    wrong = api.call("put", f"{base}/contacts/{ada['id']}", [{"associationTypeId": 409}])
    assert wrong.status_code == 400


def test_line_items_created_alone_move_onto_an_invoice_keeping_their_ids(api):
    line = api.post(
        f"{V3}/line_items", {"properties": {"name": "Setup", "price": "80", "quantity": "1"}}
    ).json()
    invoice = api.post(f"{V3}/invoices", {"properties": {"hs_currency": "USD"}}).json()
    path = f"/crm/v4/objects/invoices/{invoice['id']}/associations/default/line_items/{line['id']}"
    assert api.call("put", path).status_code == 200
    assert api.get(f"{V3}/line_items/{line['id']}").json()["properties"]["name"] == "Setup"
    api.patch(f"{V3}/line_items/{line['id']}", {"properties": {"quantity": "3"}})
    assert Invoice.objects.get(pk=invoice["id"]).total == Decimal("240.00")
    shown = api.get(f"{V3}/invoices/{invoice['id']}", associations="line_items").json()
    assert shown["associations"]["line_items"]["results"] == [
        {"id": line["id"], "type": "invoice_to_line_item"}
    ]
    assert api.delete(f"{V3}/line_items/{line['id']}").status_code == 204
    assert Invoice.objects.get(pk=invoice["id"]).total == Decimal("0")


def test_upsert_updates_the_record_its_id_property_finds_and_creates_the_others(api):
    ada = contact(api, firstname="Ada")
    response = api.post(
        f"{V3}/contacts/batch/upsert",
        {
            "inputs": [
                {"id": "ADA@example.com", "idProperty": "email", "properties": {"city": "London"}},
                {"id": "new@example.com", "idProperty": "email", "properties": {"city": "Oslo"}},
            ]
        },
    )
    assert response.status_code == 200, response.json()
    results = {r["id"]: r for r in response.json()["results"]}
    assert results[ada["id"]]["new"] is False
    [created] = [r for r in results.values() if r["new"]]
    read = api.get(f"{V3}/contacts/new@example.com", idProperty="email", properties="city")
    assert (read.json()["id"], read.json()["properties"]["city"]) == (created["id"], "Oslo")
    assert (
        api.get(f"{V3}/contacts/{ada['id']}", properties="city").json()["properties"]["city"]
        == "London"
    )

    without = api.post(f"{V3}/contacts/batch/upsert", {"inputs": [{"id": "x", "properties": {}}]})
    assert without.status_code == 400
    assert "An upsert needs idProperty" in without.json()["errors"][0]["message"]


def test_an_archived_record_is_read_only_when_asked_for_and_archiving_twice_is_harmless(api):
    ada = contact(api)
    path = f"{V3}/contacts/{ada['id']}"
    assert api.delete(path).status_code == 204

    assert api.get(path).status_code == 404
    archived = api.get(path, archived="true").json()
    assert archived["archived"] is True
    assert archived["archivedAt"].endswith("Z")
    assert api.get(f"{V3}/contacts").json()["results"] == []
    again = api.post(f"{V3}/contacts/batch/archive", {"inputs": [{"id": ada["id"]}]})
    assert again.status_code == 204


# SPEC INV-6
def test_a_finalized_invoices_line_follows_the_edit_rules(api, open_invoice):
    line = open_invoice.lines.first()
    refused = api.patch(f"{V3}/line_items/{line.pk}", {"properties": {"quantity": "5"}})
    assert refused.status_code == 400
    assert "Editing finalized invoices is turned off" in refused.json()["message"]
    line.refresh_from_db()
    assert line.quantity == 2


def record_payment(api: ApiClient, *associations: dict) -> dict:
    response = api.post(
        f"{V3}/commerce_payments",
        {
            "properties": {"hs_initial_amount": "50.00", "hs_initiated_date": "2026-11-20"},
            "associations": list(associations),
        },
    )
    assert response.status_code == 201, response.json()
    read = api.get(f"{V3}/commerce_payments/{response.json()['id']}", properties="hs_currency_code")
    return read.json()


def test_a_payment_without_a_currency_is_in_the_accounts_default_currency(api, account):
    account(default_currency="NOK")
    payment = record_payment(api)
    assert payment["properties"]["hs_currency_code"] == "NOK"


def test_a_payment_for_an_invoice_is_in_the_invoices_currency(api, account, make_invoice):
    account(default_currency="NOK")
    invoice = make_invoice(finalized=True, values={"hs_currency": "EUR"})
    payment = record_payment(
        api, {"to": {"id": str(invoice.pk)}, "types": [{"associationTypeId": 542}]}
    )
    assert payment["properties"]["hs_currency_code"] == "EUR"
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("50.00")
