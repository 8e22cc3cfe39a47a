"""Shared fixtures: the three roles, their actors, CRM records, invoices in each state, signed-in
clients and the browser."""

import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from faktura.accounts.models import Role, User
from faktura.accounts.services import update_account_settings
from faktura.core.actors import Actor
from faktura.crm import services as crm
from faktura.crm.models import Company, Contact
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice
from faktura.sales import services as sales
from faktura.sales.models import Deal, Product, Quote
from tests.browser import CHROMIUM_ARGS, chromium_path
from tests.smtp import SilentServer, SmtpServer

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    # Tasks run inline in tests; the worker's own test switches back to the database backend.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # Test users need no slow password hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str) -> User:
    return User.objects.create_user(username, f"{username}@faktura.test", "pw-for-tests", role=role)


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("admin", Role.SUPER_ADMIN)


@pytest.fixture
def editor_user(db: None) -> User:
    return make_user("editor", Role.EDITOR)


@pytest.fixture
def viewer_user(db: None) -> User:
    return make_user("viewer", Role.VIEWER)


@pytest.fixture
def admin(admin_user: User) -> Actor:
    return Actor.for_user(admin_user)


@pytest.fixture
def editor(editor_user: User) -> Actor:
    return Actor.for_user(editor_user)


@pytest.fixture
def viewer(viewer_user: User) -> Actor:
    return Actor.for_user(viewer_user)


@pytest.fixture
def system(db: None) -> Actor:
    return Actor.system("tests")


@pytest.fixture
def account(db: None) -> Callable[..., None]:
    """Change account settings: account(allow_editing_finalized_invoices=True)."""

    def change(**values: Any) -> None:
        update_account_settings(actor=Actor.system("tests"), **values)

    return change


@pytest.fixture
def contact(db: None, system: Actor) -> Contact:
    return crm.create_contact(
        actor=system, firstname="Ada", lastname="Lovelace", email="ada@example.com"
    )


LINE = {"name": "Consulting hour", "unit_price": "100.00", "quantity": "2", "tax_rate": "25"}


@pytest.fixture
def make_invoice(db: None, system: Actor, contact: Contact) -> Callable[..., Invoice]:
    """make_invoice(finalized=True, lines=[...]) → an invoice; 250.00 USD by default."""

    def make(*, finalized: bool = False, lines: list[Any] | None = None, **kwargs: Any) -> Invoice:
        kwargs.setdefault("contacts", [contact])
        invoice = invoices.create_draft_invoice(actor=system, lines=lines or [LINE], **kwargs)
        if finalized:
            invoice = invoices.finalize_invoice(invoice, actor=system)
        return invoice

    return make


@pytest.fixture
def draft_invoice(make_invoice: Callable[..., Invoice]) -> Invoice:
    return make_invoice()


@pytest.fixture
def open_invoice(make_invoice: Callable[..., Invoice]) -> Invoice:
    invoice = make_invoice(finalized=True)
    assert invoice.total == Decimal("250.00")
    return invoice


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Laptop width by default; phone-width tests set their own viewport.
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def sign_in(live_server: Any, page: Any, client: Any) -> Callable[[User], Any]:
    """sign_in(user) → the Playwright page, signed in as that user (session cookie, no form)."""

    def sign(user: User) -> Any:
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        page.context.add_cookies(
            [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
        )
        page.set_default_timeout(10_000)
        return page

    return sign


@pytest.fixture
def signed_in(client: Any) -> Callable[[User], Any]:
    """signed_in(user) → Django's test client, logged in as that user."""

    def sign(user: User) -> Any:
        client.force_login(user)
        return client

    return sign


@pytest.fixture
def editing_on(account: Callable[..., None]) -> None:
    account(allow_editing_finalized_invoices=True)


@pytest.fixture
def deleting_on(account: Callable[..., None]) -> None:
    account(allow_deleting_invoices=True)


@pytest.fixture
def company(system: Actor) -> Company:
    return crm.create_company(actor=system, name="Analytical Engines Ltd", domain="engines.test")


@pytest.fixture
def grace(system: Actor) -> Contact:
    return crm.create_contact(
        actor=system, firstname="Grace", lastname="Hopper", email="grace@example.com"
    )


@pytest.fixture
def product(system: Actor) -> Product:
    return sales.create_product(
        actor=system, name="Support plan", price="80.00", hs_tax_rate="10", hs_sku="SUP-1"
    )


@pytest.fixture
def deal(system: Actor, contact: Contact, company: Company) -> Deal:
    return sales.create_deal(
        actor=system,
        dealname="Difference engine",
        contacts=[contact],
        companies=[company],
        lines=[
            {"name": "Gear set", "unit_price": "120.00", "quantity": "3"},
            {"name": "Assembly", "unit_price": "60.00", "quantity": "1", "tax_rate": "25"},
        ],
    )


@pytest.fixture
def quote(system: Actor, deal: Deal) -> Quote:
    return sales.create_quote(actor=system, hs_title="Engine quote", deal=deal)


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    """A real SMTP server on 127.0.0.1 that Faktura's mailer sends to during the test."""
    server = SmtpServer()
    server.start()
    settings.MAILERS = server.mailer_settings()
    yield server
    server.stop()


@pytest.fixture
def silent_server() -> Any:
    """A server on 127.0.0.1 that accepts connections and never answers (a hung mail server)."""
    server = SilentServer()
    yield server
    server.stop()
