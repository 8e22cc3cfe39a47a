"""The role-change matrix (issue 13): a user who made an API token as a super admin is then left a
super admin, demoted to editor, demoted to view-only, or deactivated by another super admin.
Each write is then tried through the three ways in: the API with that token, the pages with
that person's open session, and the service call the API, the pages and workflow triggers
all go through. Only super admins and editors write; a view-only user is refused (403 with
the reason) and a deactivated one is signed out (401, the sign-in page); nothing is written
when refused. Rights are read on every request: nothing is cached from when the token was
made or the session opened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from faktura.accounts.models import Role, User
from faktura.api.scopes import SCOPE_NAMES
from faktura.api.tokens import create_token
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.record_services import services_for
from faktura.crm import services as crm
from faktura.crm.models import Company, Contact
from faktura.history.models import Entry
from faktura.invoices import invoice_payments
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice, InvoiceLine
from faktura.payments import services as payments
from faktura.payments.models import Payment
from faktura.sales import services as sales
from faktura.sales.models import Deal, LineItem, Product, Quote
from faktura.team import services as team
from tests.forms import form_as_shown

pytestmark = pytest.mark.django_db

V3 = "/crm/v3/objects"
STATES = ("super_admin", "editor", "viewer", "deactivated")
WRITERS = ("super_admin", "editor")


class World:
    """The records the writes change, each made by the system on first use (before the role
    change: the test asks for them in `touch`)."""

    def __init__(self, system: Actor) -> None:
        self.system = system

    @cached_property
    def contact(self) -> Contact:
        return crm.create_contact(actor=self.system, firstname="Ada", email="ada@example.com")

    @cached_property
    def company(self) -> Company:
        return crm.create_company(actor=self.system, name="Analytical Engines")

    @cached_property
    def product(self) -> Product:
        return sales.create_product(actor=self.system, name="Support plan", price="80.00")

    @cached_property
    def deal(self) -> Deal:
        line = {"name": "Gear set", "unit_price": "120", "quantity": "3"}
        return sales.create_deal(actor=self.system, dealname="Difference engine", lines=[line])

    @cached_property
    def line(self) -> LineItem:
        return self.deal.line_items.get()

    @cached_property
    def quote(self) -> Quote:
        return sales.create_quote(actor=self.system, hs_title="Engine quote")

    @cached_property
    def draft(self) -> Invoice:
        line = {"name": "Hour", "unit_price": "100", "quantity": "2"}
        return invoices.create_draft_invoice(
            actor=self.system, contacts=[self.contact], lines=[line]
        )

    @cached_property
    def open_invoice(self) -> Invoice:
        return invoices.finalize_invoice(self.draft, actor=self.system)

    @cached_property
    def applied(self) -> Payment:
        """A payment applied to an open invoice."""
        return invoice_payments.record_invoice_payment(
            self.open_invoice, actor=self.system, amount="50"
        )

    @cached_property
    def loose(self) -> Payment:
        """A payment applied to nothing."""
        return payments.create_manual_payment(actor=self.system, amount="30", currency="USD")


@pytest.fixture
def world(system: Actor) -> World:
    return World(system)


# --- the writes, each through the three ways in -------------------------------------------------

Api = Callable[["ApiCaller", World], Any]
Web = Callable[["Pages", World], Any]
Service = Callable[[Actor, World], Any]


def today() -> str:
    return timezone.localdate().isoformat()


class ApiCaller:
    def __init__(self, token: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    def post(self, path: str, properties: dict[str, Any]) -> Any:
        body = {"properties": properties}
        return self.client.post(f"{V3}/{path}", body, content_type="application/json")

    def patch(self, path: str, properties: dict[str, Any]) -> Any:
        body = {"properties": properties}
        return self.client.patch(f"{V3}/{path}", body, content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.client.delete(f"{V3}/{path}")


class Pages:
    """The person's own session, and a super admin's to read the forms they would have seen
    (a view-only user is not shown them)."""

    def __init__(self, person: Client, reader: Client) -> None:
        self.person, self.reader = person, reader

    def post(self, path: str, changes: dict[str, str] | None = None, *, form: bool = True) -> Any:
        shown = form_as_shown(self.reader.get(path).content.decode()) if form else {}
        return self.person.post(path, {**shown, **(changes or {})})

    def lines(self, deal: Deal, change: Callable[[dict[str, str]], None]) -> Any:
        path = f"/deals/{deal.pk}/edit/"
        data = form_as_shown(self.reader.get(path).content.decode())
        change(data)
        return self.person.post(path, data)


def _add_line(data: dict[str, str]) -> None:
    """Type a new line into the empty row the editor shows after the stored ones."""
    row = data["lines-INITIAL_FORMS"]
    data |= {
        f"lines-{row}-name": "Oil",
        f"lines-{row}-unit_price": "5",
        f"lines-{row}-quantity": "1",
    }


@dataclass(frozen=True)
class Write:
    name: str
    api: Api
    web: Web
    service: Service
    # The records it changes, made before the role change.
    needs: tuple[str, ...] = field(default=())


def _create(type_name: str, values: dict[str, Any]) -> Service:
    return lambda actor, w: services_for(type_name).create_record(values, actor=actor)


def _update(type_name: str, record: Callable[[World], Any], values: dict[str, Any]) -> Service:
    return lambda actor, w: services_for(type_name).update_record(
        record(w), actor=actor, values=values
    )


def _archive(type_name: str, record: Callable[[World], Any]) -> Service:
    return lambda actor, w: services_for(type_name).archive_record(record(w), actor=actor)


def record_writes(
    type_name: str, singular: str, created: dict[str, str], changed: dict[str, str]
) -> tuple[Write, ...]:
    """Create, update and archive of a record whose page and API take the same property
    names; `singular` names the World's record and the pages' path."""

    def record(w: World) -> Any:
        return getattr(w, singular)

    def path(w: World) -> str:
        return f"{type_name}/{record(w).pk}"

    return (
        Write(
            f"create {singular}",
            lambda api, w: api.post(type_name, created),
            lambda web, w: web.post(f"/{type_name}/new/", created),
            _create(type_name, created),
        ),
        Write(
            f"update {singular}",
            lambda api, w: api.patch(path(w), changed),
            lambda web, w: web.post(f"/{path(w)}/edit/", changed),
            _update(type_name, record, changed),
            needs=(singular,),
        ),
        Write(
            f"archive {singular}",
            lambda api, w: api.delete(path(w)),
            lambda web, w: web.post(f"/{path(w)}/archive/", form=False),
            _archive(type_name, record),
            needs=(singular,),
        ),
    )


WRITES = (
    *record_writes("contacts", "contact", {"email": "mary@example.com"}, {"city": "Langley"}),
    *record_writes("companies", "company", {"name": "Babbage & Co"}, {"name": "Engines AS"}),
    *record_writes("products", "product", {"name": "Oil", "price": "5"}, {"name": "Gold plan"}),
    *record_writes("deals", "deal", {"dealname": "Analytical"}, {"dealname": "Engine No. 2"}),
    *record_writes("quotes", "quote", {"hs_title": "Spare parts"}, {"hs_title": "Quote 2"}),
    Write(
        "create line item",
        lambda api, w: api.post("line_items", {"name": "Oil", "price": "5", "quantity": "1"}),
        lambda web, w: web.lines(w.deal, _add_line),
        _create("line_items", {"name": "Oil", "price": "5", "quantity": "1"}),
        needs=("deal",),
    ),
    Write(
        "update line item",
        lambda api, w: api.patch(f"line_items/{w.line.pk}", {"quantity": "5"}),
        lambda web, w: web.lines(w.deal, lambda data: data.update({"lines-0-quantity": "5"})),
        _update("line_items", lambda w: w.line, {"quantity": "5"}),
        needs=("line",),
    ),
    Write(
        "delete line item",
        lambda api, w: api.delete(f"line_items/{w.line.pk}"),
        lambda web, w: web.lines(w.deal, lambda data: data.update({"lines-0-DELETE": "on"})),
        _archive("line_items", lambda w: w.line),
        needs=("line",),
    ),
    Write(
        "record payment",
        lambda api, w: api.post(
            "commerce_payments", {"hs_initial_amount": "10", "hs_initiated_date": today()}
        ),
        lambda web, w: web.post(
            f"/invoices/{w.open_invoice.pk}/payments/new/",
            {"amount": "10", "paid_on": today(), "method": "wire_transfer"},
            form=False,
        ),
        _create("commerce_payments", {"hs_initial_amount": "10", "hs_initiated_date": today()}),
        needs=("open_invoice",),
    ),
    Write(
        "delete payment",
        lambda api, w: api.delete(f"commerce_payments/{w.loose.pk}"),
        lambda web, w: web.post(f"/payments/{w.loose.pk}/delete/", form=False),
        _archive("commerce_payments", lambda w: w.loose),
        needs=("loose",),
    ),
    Write(
        "delete applied payment",
        lambda api, w: api.delete(f"commerce_payments/{w.applied.pk}"),
        lambda web, w: web.post(f"/payments/{w.applied.pk}/delete/", form=False),
        _archive("commerce_payments", lambda w: w.applied),
        needs=("applied",),
    ),
    Write(
        "create invoice",
        lambda api, w: api.post("invoices", {"hs_currency": "USD"}),
        lambda web, w: web.post("/invoices/new/", {"contact": str(w.contact.pk)}),
        _create("invoices", {"hs_currency": "USD"}),
        needs=("contact",),
    ),
    Write(
        "update invoice",
        lambda api, w: api.patch(f"invoices/{w.draft.pk}", {"hs_comments": "Thanks!"}),
        lambda web, w: web.post(f"/invoices/{w.draft.pk}/edit/", {"comments": "Thanks!"}),
        _update("invoices", lambda w: w.draft, {"hs_comments": "Thanks!"}),
        needs=("draft",),
    ),
    Write(
        "finalize invoice",
        lambda api, w: api.patch(f"invoices/{w.draft.pk}", {"hs_invoice_status": "open"}),
        lambda web, w: web.post(f"/invoices/{w.draft.pk}/finalize/", form=False),
        lambda actor, w: invoices.finalize_invoice(w.draft, actor=actor),
        needs=("draft",),
    ),
)


def cells(states: tuple[str, ...] = STATES) -> list[Any]:
    return [pytest.param(s, w, id=f"{s}-{w.name}") for s in states for w in WRITES]


# --- the person, their token and their session, before the change of role ----------------------


@dataclass
class Person:
    user: User
    token: str
    session: Client


@pytest.fixture
def person(db: None) -> Person:
    """A super admin who makes a token with every scope and signs in."""
    user = User.objects.create_user("pat", "pat@example.com", "pw-for-tests", role=Role.SUPER_ADMIN)
    token = create_token(actor=Actor.for_user(user), name="Pat's sync", scopes=SCOPE_NAMES)[1]
    session = Client()
    session.force_login(user)
    return Person(user, token, session)


@pytest.fixture
def root(db: None) -> User:
    return User.objects.create_user(
        "root", "root@example.com", "pw-for-tests", role=Role.SUPER_ADMIN
    )


def touch(world: World, write: Write) -> None:
    for name in write.needs:
        getattr(world, name)


def become(person: Person, state: str, root: User) -> None:
    """Another super admin changes the person's role, or deactivates them."""
    by = Actor.for_user(root)
    if state == "deactivated":
        team.deactivate_user(person.user, actor=by)
    elif state != "super_admin":
        team.change_role(person.user, state, actor=by)


def fingerprint() -> tuple[int, ...]:
    """What a write would change: history rows, and the rows of every kind of record."""
    models = (
        Entry,
        Contact,
        Company,
        Product,
        Deal,
        Quote,
        LineItem,
        InvoiceLine,
        Invoice,
        Payment,
    )
    return tuple(model._default_manager.count() for model in models)


def _check(state: str, before: tuple[int, ...], refused: bool) -> None:
    after = fingerprint()
    if state in WRITERS:
        assert not refused
        assert after[0] > before[0], "a write is recorded in history"
    else:
        assert refused
        assert after == before, "nothing is written when the write is refused"


# SPEC INV-6
@pytest.mark.parametrize(("state", "write"), cells())
def test_the_api_token_acts_with_its_users_rights_of_now(world, person, root, state, write):
    touch(world, write)
    become(person, state, root)
    before = fingerprint()
    answer = write.api(ApiCaller(person.token), world)
    if state == "viewer":
        assert answer.status_code == 403
        assert answer.json()["category"] == "FORBIDDEN"
        assert "view-only access" in answer.json()["message"]
    elif state == "deactivated":
        assert answer.status_code == 401
        assert "deactivated" in answer.json()["message"]
    else:
        assert answer.status_code < 300, answer.content.decode()
    _check(state, before, refused=answer.status_code >= 400)


# SPEC INV-6
# A super admin who stays one passes the same page checks as an editor: left out for time.
@pytest.mark.parametrize(("state", "write"), cells(STATES[1:]))
def test_the_pages_act_with_the_signed_in_users_rights_of_now(world, person, root, state, write):
    touch(world, write)
    become(person, state, root)
    reader = Client()
    reader.force_login(root)
    before = fingerprint()
    answer = write.web(Pages(person.session, reader), world)
    if state == "viewer":
        assert answer.status_code == 403
    elif state == "deactivated":
        assert answer.status_code == 302
        assert answer.url.startswith("/login/")
    else:
        assert answer.status_code == 302, answer.content.decode()[:2000]
        assert not answer.url.startswith("/login/")
    refused = answer.status_code != 302 or answer.url.startswith("/login/")
    _check(state, before, refused=refused)


# SPEC INV-6
@pytest.mark.parametrize(("state", "write"), cells())
def test_every_service_checks_the_actors_rights(world, person, root, state, write):
    """The calls the API, the pages and workflow triggers make; the actor's user as loaded by
    the request that makes the call."""
    touch(world, write)
    become(person, state, root)
    actor = Actor.for_user(User.objects.get(pk=person.user.pk))
    before = fingerprint()
    if state in WRITERS:
        write.service(actor, world)
    else:
        expected = "deactivated" if state == "deactivated" else "view-only access"
        with pytest.raises(RuleViolation, match=expected) as refusal:
            write.service(actor, world)
        assert refusal.value.code == "permission_denied"
    _check(state, before, refused=state not in WRITERS)


def test_role_changes_and_deactivation_are_recorded_with_who_when_and_old_and_new(person, root):
    by = Actor.for_user(root)
    team.change_role(person.user, Role.EDITOR, actor=by)
    team.change_role(person.user, Role.VIEWER, actor=by)
    team.deactivate_user(person.user, actor=by)
    entries = Entry.objects.filter(object_type="user", object_id=person.user.pk).order_by("id")
    recorded = [
        (e.property or e.event_type, e.old_value, e.new_value, e.actor_user_id) for e in entries
    ]
    assert recorded == [
        ("role", Role.SUPER_ADMIN, Role.EDITOR, root.pk),
        ("role", Role.EDITOR, Role.VIEWER, root.pk),
        ("user.deactivated", None, None, root.pk),
    ]
    assert all(e.at <= timezone.now() + dt.timedelta(seconds=1) for e in entries)
