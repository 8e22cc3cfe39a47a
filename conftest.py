"""Shared fixtures: the three roles, their actors, and invoices in each state."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from faktura.accounts.models import Role, User
from faktura.accounts.services import update_account_settings
from faktura.core.actors import Actor
from faktura.crm import services as crm
from faktura.crm.models import Contact
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice


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
