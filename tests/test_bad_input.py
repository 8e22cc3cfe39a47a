"""The bad-input corpus (issue 13): NUL and other control characters, lone surrogates, object
and list values, huge and deeply nested bodies, long searches, huge IN lists and an image bomb,
sent through the API, the pages and the imports. Nothing answers 5xx; each is a 4xx with a
sentence saying what was wrong. The whole suite runs on PostgreSQL too, where NUL used to fail.
"""

import io
import json
import struct
import zlib
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from faktura.api.adapters import adapter_for
from faktura.api.scopes import ALL_SCOPES
from faktura.api.tokens import create_token
from faktura.core.actors import Actor
from faktura.core.properties import ObjectType, PropertyType
from faktura.crm.models import Contact
from faktura.listings.defaults import defaults_for
from faktura.workflows.models import Workflow

pytestmark = pytest.mark.django_db

TYPES = [
    "contacts", "companies", "deals", "quotes", "products", "line_items", "invoices",
    "commerce_payments",
]  # fmt: skip
# Text no one types: what PostgreSQL cannot store (NUL), what XLSX cannot hold (the others),
# and what UTF-8 cannot encode (a lone surrogate, possible only in JSON's \\u escapes).
CONTROL = {"nul": "a\x00b", "vertical-tab": "a\x0bb", "escape": "\x1b[31m", "soh": "\x01"}
BAD_TEXT = {**CONTROL, "lone-surrogate": "a\ud800b"}
DEEP = "[" * 100_000 + "]" * 100_000


def declared(object_type: str) -> ObjectType:
    adapter = adapter_for(object_type)
    assert adapter is not None
    return adapter.object_type


def stored(object_type: str) -> int:
    return declared(object_type).model._default_manager.count()


def writable_text_property(object_type: str) -> str:
    return next(
        p.name
        for p in declared(object_type).properties
        if p.type == PropertyType.STRING and not p.read_only and p.field and "__" not in p.field
    )


class Api:
    def __init__(self) -> None:
        scopes = [s if isinstance(s, str) else s[0] for s in ALL_SCOPES]
        token = create_token(actor=Actor.system("corpus"), name="corpus", scopes=scopes)[1]
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {token}"}

    def send(self, method: str, path: str, body: Any) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)  # \ud800 escaped
        return getattr(self.client, method)(
            path, data=data, content_type="application/json", headers=self.headers
        )

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)


@pytest.fixture
def api(db: None) -> Api:
    return Api()


def refused(response: Any, *phrases: str, status: int = 400) -> dict[str, Any]:
    """The API's error body, after checking the status and that it says why."""
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == "VALIDATION_ERROR"
    for phrase in phrases:
        assert phrase in body["message"], body["message"]
    return body


def reason_of(bad: str) -> str:
    return "surrogate" if bad == "lone-surrogate" else "control character"


# --- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_TEXT)
@pytest.mark.parametrize("object_type", TYPES)
def test_api_writes_and_searches_refuse_text_that_is_no_text(api, object_type, bad):
    name = writable_text_property(object_type)
    text = BAD_TEXT[bad]
    base = f"/crm/v3/objects/{object_type}"
    one = {"properties": {name: text}}
    equals = {"filters": [{"propertyName": name, "operator": "EQ", "value": text}]}
    sends: list[tuple[str, str, dict[str, Any]]] = [
        ("post", base, one),
        ("patch", f"{base}/1", one),
        ("post", f"{base}/batch/create", {"inputs": [one]}),
        ("post", f"{base}/batch/update", {"inputs": [{"id": "1", **one}]}),
        ("post", f"{base}/search", {"query": text}),
        ("post", f"{base}/search", {"filterGroups": [equals]}),
    ]
    for method, path, body in sends:
        refused(api.send(method, path, body), reason_of(bad), name if "properties" in body else "")
    assert stored(object_type) == 0


@pytest.mark.parametrize("value", [{"a": 1}, [1, 2]], ids=["object", "list"])
@pytest.mark.parametrize("object_type", TYPES)
def test_api_refuses_an_object_or_list_as_a_property_value(api, object_type, value):
    name = writable_text_property(object_type)
    response = api.send("post", f"/crm/v3/objects/{object_type}", {"properties": {name: value}})
    refused(response, f"({name}) takes one string value")
    assert stored(object_type) == 0


@pytest.mark.parametrize("object_type", TYPES)
def test_api_search_limits_long_queries_and_in_lists(api, object_type):
    name = writable_text_property(object_type)
    path = f"/crm/v3/objects/{object_type}/search"
    refused(api.send("post", path, {"query": "a " * 25_000}), "at most 200")
    many = [str(i) for i in range(2_000)]
    for prop in (name, "hs_object_id"):
        groups = [{"filters": [{"propertyName": prop, "operator": "IN", "values": many}]}]
        refused(api.send("post", path, {"filterGroups": groups}), "at most 100")


def test_api_answers_huge_and_deep_bodies_with_its_own_error(api):
    huge = {"properties": {"firstname": "a" * 3_000_000}}
    refused(api.send("post", "/crm/v3/objects/contacts", huge), "larger than 2.5 MB", status=413)
    refused(api.send("post", "/crm/v3/objects/contacts", DEEP), "nested too deeply")
    refused(api.send("post", "/faktura/v1/workflows", DEEP), "nested too deeply")
    deep_document = json.loads("[" * 500 + "]" * 500)
    body = {"format": "faktura-workflow", "version": 1, "name": "x", "definition": deep_document}
    refused(api.send("post", "/faktura/v1/workflows", body), "nested too deeply")
    refused(api.send("post", "/crm/v3/objects/contacts", b'{"properties": '), "is not JSON")


def test_api_refuses_control_characters_in_the_address_and_query_string(api, contact):
    refused(api.get("/crm/v3/objects/contacts?properties=first%00name"), "U+0000")
    refused(api.get("/crm/v3/objects/contacts/a%00b?idProperty=email"), "U+0000")
    refused(api.get("/crm/v3/objects/contacts/a%1Bb?idProperty=email"), "U+001B")


# --- the pages -------------------------------------------------------------------------------


@pytest.fixture
def web(admin_user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    return client


def index_path(object_type: str) -> str:
    return f"/{defaults_for(declared(object_type)).path}/"


@pytest.mark.parametrize("bad", CONTROL)
@pytest.mark.parametrize("object_type", ["contacts", "companies", "deals", "invoices"])
def test_index_pages_refuse_control_characters_in_search_and_filters(web, object_type, bad):
    name = writable_text_property(object_type)
    for params in ({"q": CONTROL[bad]}, {"f": f"0:{name}:contains:{CONTROL[bad]}"}):
        response = web.get(index_path(object_type), params)
        assert response.status_code == 400
        assert "control character" in response.content.decode()


@pytest.mark.parametrize("object_type", ["contacts", "companies", "deals", "invoices"])
def test_index_pages_limit_long_searches_and_long_value_lists(web, object_type, contact):
    page = web.get(index_path(object_type), {"q": "a " * 25_000})
    assert page.status_code == 200
    assert "Only its first 200 characters were searched" in page.content.decode()
    name = writable_text_property(object_type)
    values = ",".join(str(i) for i in range(2_000))
    page = web.get(index_path(object_type), {"f": f"0:{name}:any_of:{values}"})
    assert page.status_code < 500
    assert "a filter takes at most 100" in page.content.decode()


@pytest.mark.parametrize("bad", ["vertical-tab", "escape", "soh"])
@pytest.mark.parametrize(
    ("path", "field", "others"),
    [
        ("/contacts/new/", "firstname", {"email": "new@example.com"}),
        ("/companies/new/", "name", {}),
        ("/products/new/", "name", {"price": "10"}),
    ],
)
def test_page_forms_refuse_control_characters_beside_the_field(web, path, field, others, bad):
    response = web.post(path, {field: f"Name{CONTROL[bad]}", **others})
    assert response.status_code < 500
    code = next(f"U+{ord(char):04X}" for char in CONTROL[bad] if ord(char) < 0x20)
    assert f"contains a control character ({code})" in response.content.decode()
    assert not Contact.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/workflows/new/", {"object_type": "contact"}),
        ("/settings/api-tokens/", {"scopes": "crm.objects.contacts.read"}),
    ],
)
def test_hand_written_page_forms_refuse_control_characters_in_names(web, path, fields):
    response = web.post(path, {"name": "Sync\x00", **fields})
    assert response.status_code < 500
    assert "contains a control character (U+0000)" in response.content.decode()
    assert not Workflow.objects.exists()


def test_a_conversation_reply_to_a_forged_email_id_is_refused(web):
    response = web.post("/conversations/", {"email": "abc", "body": "Hi", "from_address": "a@b.c"})
    assert response.status_code == 302
    follow = web.get(response["Location"]).content.decode()
    assert "That conversation is not in an inbox you can use." in follow


# --- imports ---------------------------------------------------------------------------------


def test_workflow_import_page_refuses_deep_and_unprintable_documents(web):
    response = web.post("/workflows/import/", {"json": DEEP})
    assert response.status_code == 400
    assert "nested too deeply" in response.content.decode()
    named = json.dumps({"format": "faktura-workflow", "version": 1, "name": "a\u0000b"})
    response = web.post("/workflows/import/", {"json": named})
    assert response.status_code == 400
    assert "control character (U+0000)" in response.content.decode()
    assert not Workflow.objects.exists()


def test_workflow_import_command_refuses_a_deep_document(tmp_path, db):
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP)
    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("workflows", "import", str(deep))


def bomb_png(width: int, height: int) -> bytes:
    """A PNG header claiming width × height pixels, with no pixels at all (69 bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def test_a_logo_bomb_is_refused_with_its_size(web):
    bomb = io.BytesIO(bomb_png(100_000, 100_000))
    bomb.name = "logo.png"
    form = web.get("/settings/").context["form"]
    values = {k: v for k, v in form.initial.items() if v is not None and k != "logo"}
    response = web.post("/settings/", {**values, "logo": bomb})
    assert response.status_code < 500
    page = response.content.decode()
    assert "The logo is 100000×100000 pixels" in page
    assert "the largest logo Faktura accepts is 4000×4000 pixels" in page
