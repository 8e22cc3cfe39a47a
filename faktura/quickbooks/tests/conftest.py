"""A qbo_sandbox process for this test process, Faktura pointed at it, and a company connected
through the real OAuth flow."""

from collections.abc import Iterator
from typing import Any

import pytest

from faktura.core.actors import Actor
from faktura.quickbooks import oauth, services
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.models import QuickBooksConnection
from tests.qbo import Sandbox, running_sandbox

REDIRECT_URI = "http://testserver/settings/quickbooks/callback/"


@pytest.fixture(scope="session")
def qbo() -> Iterator[Sandbox]:
    yield from running_sandbox()


@pytest.fixture
def sandbox(qbo: Sandbox, settings: Any) -> Iterator[Sandbox]:
    """The sandbox, with Faktura's settings pointing at it and no faults left behind."""
    for name, value in qbo.settings().items():
        setattr(settings, name, value)
    yield qbo
    qbo.clear_faults()


def connect(sandbox: Sandbox, actor: Actor, **choice: str) -> QuickBooksConnection:
    """Connect a company as a user would: consent page, redirect, code exchange."""
    url = oauth.authorize_url(state="test-state", redirect_uri=REDIRECT_URI)
    redirect = sandbox.consent(url, **choice)
    assert redirect["state"] == "test-state"
    return services.connect_company(
        actor=actor, code=redirect["code"], realm_id=redirect["realmId"], redirect_uri=REDIRECT_URI
    )


@pytest.fixture
def connection(sandbox: Sandbox, admin: Actor) -> QuickBooksConnection:
    return connect(sandbox, admin)


@pytest.fixture
def qb(connection: QuickBooksConnection) -> QuickBooksClient:
    """A client for the test's company (`client` is Django's test client)."""
    return QuickBooksClient(connection, max_wait=10)


@pytest.fixture
def income(connection: QuickBooksConnection) -> QuickBooksConnection:
    """The connection with a default income account (the sample company's 1, Services)."""
    connection.income_account_id, connection.income_account_name = "1", "Services"
    connection.save(update_fields=["income_account_id", "income_account_name"])
    return connection


def new_item(qb: QuickBooksClient, name: str, **fields: Any) -> dict[str, Any]:
    """A Service item made in QuickBooks, as a bookkeeper would."""
    body = {"Name": name, "Type": "Service", "IncomeAccountRef": {"value": "1"}, **fields}
    return qb.create("Item", body, request_id=f"test-item-{name}"[:50])


def change_item(qb: QuickBooksClient, item_id: str, **fields: Any) -> dict[str, Any]:
    """An item changed in QuickBooks (a sparse update of `fields`)."""
    item = qb.read("Item", item_id)
    body = {"Id": item_id, "SyncToken": item["SyncToken"], **fields}
    return qb.update("Item", body, request_id=f"test-change-{item_id}-{item['SyncToken']}")
