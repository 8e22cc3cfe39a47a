"""The demo's QuickBooks company (issue 15), against a real qbo_sandbox process: the first start
connects it through the consent page, chooses the defaults by name and syncs the products; a
second start changes nothing; a sandbox that is down leaves the demo as it was, with the reason
said. The web port is never listened on: Faktura's services are called in-process."""

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from faktura.accounts.models import User
from faktura.demo.quickbooks_demo import EXAMPLE_WORKFLOWS, set_up_demo_quickbooks
from faktura.demo.seed import seed_demo
from faktura.history.models import Entry
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.models import (
    ProductLink,
    ProductSyncRun,
    QuickBooksConnection,
    QuickBooksDocument,
    SyncStatus,
)
from faktura.sales.models import Product
from faktura.workflows.models import StepRun, StepStatus, Workflow
from tests.postgres import _free_port
from tests.qbo import Sandbox, start_sandbox, stop_sandbox

pytestmark = pytest.mark.django_db

WEB_URL = "http://127.0.0.1:8141/"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "qbo_sandbox.sqlite3"  # as `serve` keeps it in DATA_DIR


@pytest.fixture
def sandbox(data: Path, settings: Any) -> Iterator[Sandbox]:
    started = start_sandbox("--data", str(data))
    for name, value in started.settings().items():
        setattr(settings, name, value)
    yield started
    stop_sandbox(started)


def first_start() -> tuple[User, list[str]]:
    login = seed_demo()
    return User.objects.get(username=login.username), []


def state(connection: QuickBooksConnection) -> dict[str, Any]:
    """What a second start must leave as it was, in Faktura and in QuickBooks."""
    client = QuickBooksClient(connection, max_wait=10)
    connection.refresh_from_db()
    return {
        "connection": {k: v for k, v in vars(connection).items() if not k.startswith("_")},
        "connections": QuickBooksConnection.objects.count(),
        "runs": ProductSyncRun.objects.count(),
        "history": Entry.objects.count(),
        "products": Product.objects.count(),
        "items": sorted(i["Name"] for i in client.query_all("SELECT * FROM Item")),
        "vendors": sorted(v["DisplayName"] for v in client.query_all("SELECT * FROM Vendor")),
        "workflows": sorted(Workflow.objects.values_list("name", "enabled", "updated_at")),
        "step runs": StepRun.objects.count(),
        "documents": {entity: len(client.query(f"SELECT * FROM {entity}")) for entity in DOCUMENTS},
    }


# What the example workflows make of the demo's records, in the sandbox.
DOCUMENTS = ("Invoice", "Estimate", "SalesReceipt", "Purchase", "RefundReceipt")


def test_the_first_start_connects_the_demo_company_with_defaults_and_synced_products(
    sandbox: Sandbox,
):
    admin, said = first_start()

    connection = set_up_demo_quickbooks(admin, web_url=WEB_URL, say=said.append)

    assert connection is not None
    assert connection.company_name == "Nordlys Consulting Inc."
    assert connection.connected_by == admin
    assert "Nordlys Consulting Inc." in requests.get(f"{sandbox.base_url}/", timeout=10).text
    defaults = {
        name: (getattr(connection, f"{name}_id"), getattr(connection, f"{name}_name"))
        for name in ("income_account", "deposit_account", "fee_expense_account",
                     "fee_payment_account", "refund_account")
    }  # fmt: skip
    # The ids of Intuit's sample company (qbo_sandbox/README.md), found by name.
    assert defaults == {
        "income_account": ("1", "Services"),
        "deposit_account": ("4", "Undeposited Funds"),
        "fee_expense_account": ("8", "Bank Charges"),
        "fee_payment_account": ("35", "Checking"),
        "refund_account": ("35", "Checking"),
    }
    client = QuickBooksClient(connection, max_wait=10)
    vendor = client.read("Vendor", connection.fee_vendor_id)
    assert (vendor["DisplayName"], connection.fee_vendor_name) == ("Stripe", "Stripe")
    items = {i["Name"]: i for i in client.query_all("SELECT * FROM Item")}
    for name, sku in [("Security audit", "AUD-1"), ("Consulting hour", "CON-H"),
                      ("Annual licence", "LIC-Y")]:  # fmt: skip
        product = Product.objects.get(name=name)
        assert items[name]["Sku"] == sku
        assert ProductLink.objects.get(connection=connection, product=product).item_id == str(
            items[name]["Id"]
        )
    assert ProductSyncRun.objects.get().status == SyncStatus.DONE
    assert said == [
        "QuickBooks: the sandbox company Nordlys Consulting Inc. is connected; product sync: "
        + ProductSyncRun.objects.get().message,
        "QuickBooks: example workflows turned on: "
        + ", ".join(name for name, *_rest in EXAMPLE_WORKFLOWS)
        + ".",
    ]

    before = state(connection)
    again = set_up_demo_quickbooks(admin, web_url=WEB_URL, say=said.append)
    assert again == connection
    assert state(connection) == before


# SPEC QB-1
# SPEC QB-9
# SPEC QB-10
# SPEC QB-11
def test_the_example_workflows_are_turned_on_and_their_documents_appear_in_the_sandbox(
    sandbox: Sandbox, django_capture_on_commit_callbacks: Any
):
    admin, said = first_start()
    # The steps enrolled at turn-on run when it commits, as the worker would run them.
    with django_capture_on_commit_callbacks(execute=True):
        connection = set_up_demo_quickbooks(admin, web_url=WEB_URL, say=said.append)
    assert connection is not None

    made = Workflow.objects.exclude(name="Won deals: invoice them")
    assert sorted((w.name, w.object_type, w.enabled) for w in made) == sorted(
        (name, object_type, True) for name, object_type, *_rest in EXAMPLE_WORKFLOWS
    )
    assert all(not w.has_unpublished_changes for w in made)
    runs = StepRun.objects.select_related("enrollment")
    assert [(r.step_id, r.status, r.error) for r in runs if r.status != StepStatus.SUCCEEDED] == []
    assert runs.count() == 5  # invoice, estimate, sales receipt, expense, refund receipt
    client = QuickBooksClient(connection, max_wait=10)
    found = {entity: client.query(f"SELECT * FROM {entity}") for entity in DOCUMENTS}
    assert {entity: len(rows) for entity, rows in found.items()} == dict.fromkeys(DOCUMENTS, 1)
    (invoice,) = found["Invoice"]
    assert Decimal(str(invoice["TotalAmt"])) == Decimal("5700.00")  # audit + 6 hours
    (expense,) = found["Purchase"]
    assert Decimal(str(expense["TotalAmt"])) == Decimal("43.80")  # the card payment's fee
    assert expense["EntityRef"]["value"] == connection.fee_vendor_id
    (refund,) = found["RefundReceipt"]
    assert Decimal(str(refund["TotalAmt"])) == Decimal("150.00")
    assert QuickBooksDocument.objects.count() == 5

    before = state(connection)
    with django_capture_on_commit_callbacks(execute=True):
        again = set_up_demo_quickbooks(admin, web_url=WEB_URL, say=said.append)
    assert again == connection
    assert state(connection) == before
    assert QuickBooksDocument.objects.count() == 5


def test_a_new_faktura_database_finds_the_demo_company_the_sandbox_kept(
    sandbox: Sandbox, data: Path, settings: Any
):
    admin, said = first_start()
    first = set_up_demo_quickbooks(admin, web_url=WEB_URL, say=said.append)
    assert first is not None
    items = len(list(QuickBooksClient(first, max_wait=10).query_all("SELECT * FROM Item")))
    # The sandbox restarts on its data file; Faktura's database starts empty again.
    stop_sandbox(sandbox)
    QuickBooksConnection.objects.all().delete()
    restarted = start_sandbox("--data", str(data))
    try:
        for name, value in restarted.settings().items():
            setattr(settings, name, value)
        second = set_up_demo_quickbooks(admin, web_url=WEB_URL, say=said.append)
        assert second is not None
        assert second.realm_id == first.realm_id
        client = QuickBooksClient(second, max_wait=10)
        assert len(list(client.query_all("SELECT * FROM Item"))) == items  # linked, not pushed
        assert len(client.query("SELECT * FROM Vendor WHERE DisplayName = 'Stripe'")) == 1
    finally:
        stop_sandbox(restarted)


def test_a_sandbox_that_is_down_leaves_the_demo_as_it_was_and_says_what_to_do(settings: Any):
    down = f"http://127.0.0.1:{_free_port()}"
    settings.QUICKBOOKS_CLIENT_ID, settings.QUICKBOOKS_CLIENT_SECRET = "demo", "demo"
    settings.QUICKBOOKS_DISCOVERY_URL = f"{down}/.well-known/openid-configuration"
    admin, said = first_start()

    assert set_up_demo_quickbooks(admin, web_url=WEB_URL, say=said.append) is None

    assert not QuickBooksConnection.objects.exists()
    assert Product.objects.filter(name="Security audit").exists()  # the demo data is all there
    [message] = said
    assert message.startswith("QuickBooks: the demo company was not connected: Intuit's")
    assert down in message  # the reason: where Faktura tried to reach it
    assert "Connect one by hand in Settings → QuickBooks (http://127.0.0.1:8141/" in message
