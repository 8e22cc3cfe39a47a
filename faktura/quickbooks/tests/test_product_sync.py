"""Product sync between Faktura's product library and QuickBooks items (QB-5)."""

from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.history.models import Entry
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.models import ProductLink, ProductSyncRun, QuickBooksConnection, SyncStatus
from faktura.quickbooks.product_sync import (
    request_product_sync,
    resolve_conflict,
    run_product_sync,
)
from faktura.quickbooks.tests.conftest import change_item, new_item
from faktura.sales import services as sales
from faktura.sales.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def sync(django_capture_on_commit_callbacks: Any) -> Callable[..., ProductSyncRun]:
    """Request a sync as the settings page does; the test backend runs the task on commit."""

    def requested(connection: QuickBooksConnection, actor: Actor) -> ProductSyncRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = request_product_sync(connection, actor=actor)
        run.refresh_from_db()
        return run

    return requested


def items_named(qb: QuickBooksClient, name: str) -> list[dict[str, Any]]:
    return qb.query(f"SELECT * FROM Item WHERE Name = '{name}'")


def test_first_sync_imports_items_pushes_products_and_links_both_ways(
    qb: QuickBooksClient,
    income: QuickBooksConnection,
    admin: Actor,
    product: Product,
    sync: Callable[..., ProductSyncRun],
) -> None:  # SPEC QB-5
    new_item(qb, "Gearbox", Sku="GB-1", UnitPrice=Decimal("250.50"), Description="Cast")
    run = sync(income, admin)
    assert run.status == SyncStatus.DONE, run.message
    gearbox = Product.objects.get(name="Gearbox")
    assert (gearbox.sku, gearbox.description, gearbox.unit_price) == (
        "GB-1", "Cast", Decimal("250.50"),
    )  # fmt: skip
    # Imported through the product service: history names QuickBooks as the actor.
    assert Entry.objects.filter(object_type="product", object_id=gearbox.pk).exists()
    [pushed] = items_named(qb, "Support plan")
    assert (pushed["Sku"], pushed["UnitPrice"], pushed["Type"]) == ("SUP-1", 80, "Service")
    assert pushed["IncomeAccountRef"]["value"] == "1"
    assert ProductLink.objects.get(connection=income, product=product).item_id == pushed["Id"]
    assert ProductLink.objects.filter(connection=income, product=gearbox).exists()
    assert run.pushed == 1
    assert run.imported >= 1
    assert run.conflicts == []


def test_running_sync_twice_creates_no_duplicates(
    qb: QuickBooksClient,
    income: QuickBooksConnection,
    admin: Actor,
    product: Product,
    sync: Callable[..., ProductSyncRun],
) -> None:  # SPEC QB-5
    new_item(qb, "Gearbox", Sku="GB-1")
    sync(income, admin)
    products, links = Product.objects.count(), ProductLink.objects.count()
    items = len(qb.query("SELECT * FROM Item"))
    again = sync(income, admin)
    assert again.status == SyncStatus.DONE, again.message
    assert (again.imported, again.pushed, again.linked, again.updated) == (0, 0, 0, 0)
    assert Product.objects.count() == products
    assert ProductLink.objects.count() == links
    assert len(qb.query("SELECT * FROM Item")) == items
    # Running the same run again leaves it as it was.
    assert run_product_sync(again.pk).status == SyncStatus.DONE
    assert len(qb.query("SELECT * FROM Item")) == items


def test_same_sku_links_rather_than_duplicates_else_same_name(
    qb: QuickBooksClient, income: QuickBooksConnection, admin: Actor, system: Actor,
    product: Product, sync: Callable[..., ProductSyncRun],
) -> None:  # fmt: skip  # SPEC QB-5
    by_sku = new_item(qb, "Support (yearly)", Sku="SUP-1", UnitPrice=Decimal("80"))
    named = sales.create_product(actor=system, name="Gear set", price="120")
    by_name = new_item(qb, "Gear set", UnitPrice=Decimal("120"))
    run = sync(income, admin)
    assert run.linked == 2
    assert run.pushed == 0
    assert ProductLink.objects.get(product=product).item_id == by_sku["Id"]
    assert ProductLink.objects.get(product=named).item_id == by_name["Id"]
    assert not Product.objects.filter(name__in=["Support (yearly)"]).exists()
    assert len(items_named(qb, "Support plan")) == 0
    # They differ in name: linked, and the difference is for a person to settle.
    assert [(c["field"], c["faktura"], c["quickbooks"]) for c in run.conflicts] == [
        ("name", "Support plan", "Support (yearly)")
    ]


def test_a_change_on_one_side_is_copied_to_the_other(
    qb: QuickBooksClient, income: QuickBooksConnection, admin: Actor, editor: Actor,
    product: Product, sync: Callable[..., ProductSyncRun],
) -> None:  # fmt: skip  # SPEC QB-5
    sync(income, admin)
    link = ProductLink.objects.get(product=product)
    sales.update_product(product, actor=editor, values={"price": "95.00"})
    change_item(qb, link.item_id, Description="Phone + mail")
    run = sync(income, admin)
    assert run.status == SyncStatus.DONE
    assert run.updated == 1
    assert run.conflicts == []
    item = qb.read("Item", link.item_id)
    assert item["UnitPrice"] == Decimal("95")
    product.refresh_from_db()
    assert product.description == "Phone + mail"
    assert Entry.objects.filter(
        object_type="product", object_id=product.pk, actor_label="QuickBooks"
    ).exists()


def test_a_change_on_both_sides_is_a_conflict_never_overwritten_until_resolved(
    qb: QuickBooksClient, income: QuickBooksConnection, admin: Actor, editor: Actor,
    product: Product, sync: Callable[..., ProductSyncRun],
) -> None:  # fmt: skip  # SPEC QB-5
    sync(income, admin)
    link = ProductLink.objects.get(product=product)
    sales.update_product(product, actor=editor, values={"price": "95.00", "name": "Support+"})
    change_item(qb, link.item_id, UnitPrice=90)
    run = sync(income, admin)
    assert [(c["field"], c["faktura"], c["quickbooks"]) for c in run.conflicts] == [
        ("unit_price", "95", "90")
    ]
    assert "both sides" in run.message
    product.refresh_from_db()
    assert product.unit_price == Decimal("95")
    assert product.name == "Support+"
    item = qb.read("Item", link.item_id)
    assert item["UnitPrice"] == 90
    assert item["Name"] == "Support+"
    # Shown again on the next run until a person settles it.
    again = sync(income, admin)
    assert [c["field"] for c in again.conflicts] == ["unit_price"]

    settled = resolve_conflict(again, 0, keep="quickbooks", actor=admin)
    assert settled.conflicts == []
    product.refresh_from_db()
    assert product.unit_price == Decimal("90")
    assert sync(income, admin).conflicts == []


def test_resolving_by_keeping_faktura_writes_quickbooks(
    qb: QuickBooksClient, income: QuickBooksConnection, admin: Actor, editor: Actor,
    viewer: Actor, product: Product, sync: Callable[..., ProductSyncRun],
) -> None:  # fmt: skip  # SPEC QB-5
    sync(income, admin)
    link = ProductLink.objects.get(product=product)
    sales.update_product(product, actor=editor, values={"hs_sku": "SUP-2"})
    change_item(qb, link.item_id, Sku="SUP-Q")
    run = sync(income, admin)
    with pytest.raises(RuleViolation):
        resolve_conflict(run, 0, keep="faktura", actor=viewer)
    resolve_conflict(run, 0, keep="faktura", actor=admin)
    assert qb.read("Item", link.item_id)["Sku"] == "SUP-2"
    with pytest.raises(RuleViolation):
        resolve_conflict(run, 0, keep="faktura", actor=admin)
    assert sync(income, admin).conflicts == []


def test_without_an_income_account_sync_imports_but_refuses_to_push(
    qb: QuickBooksClient,
    connection: QuickBooksConnection,
    admin: Actor,
    product: Product,
    sync: Callable[..., ProductSyncRun],
) -> None:  # SPEC QB-5
    new_item(qb, "Gearbox", Sku="GB-1")
    run = sync(connection, admin)
    assert Product.objects.filter(name="Gearbox").exists()
    assert run.pushed == 0
    assert items_named(qb, "Support plan") == []
    assert "income account" in run.message
    assert "Settings → QuickBooks" in run.message


def test_only_super_admins_request_a_sync(
    connection: QuickBooksConnection, editor: Actor, sync: Callable[..., ProductSyncRun]
) -> None:  # SPEC QB-5
    with pytest.raises(RuleViolation):
        request_product_sync(connection, actor=editor)
    assert not ProductSyncRun.objects.exists()


def category(qb: QuickBooksClient, name: str) -> dict[str, Any]:
    """A category: not a product to sync, but its name is taken among items."""
    return qb.create("Item", {"Name": name, "Type": "Category"}, request_id=f"test-c-{name}")


def test_quickbooks_refusals_fail_the_run_with_its_message_and_the_rest_goes_on(
    qb: QuickBooksClient, income: QuickBooksConnection, admin: Actor, system: Actor,
    product: Product, sync: Callable[..., ProductSyncRun],
) -> None:  # fmt: skip  # SPEC QB-5
    category(qb, "Support plan")
    sales.create_product(actor=system, name="Gear set", price="120")
    run = sync(income, admin)
    assert run.status == SyncStatus.FAILED
    assert "Support plan" in run.message
    assert "6240" in run.message
    assert run.pushed == 1
    assert len(items_named(qb, "Gear set")) == 1
    assert run.finished_at is not None


def test_the_command_syncs_and_prints_counts_and_conflicts(
    qb: QuickBooksClient, income: QuickBooksConnection, admin: Actor, editor: Actor,
    product: Product,
) -> None:  # fmt: skip  # SPEC QB-5
    new_item(qb, "Gearbox", Sku="GB-1")
    out = StringIO()
    call_command("quickbooks_sync_products", "--realm", income.realm_id, stdout=out)
    assert "1 product pushed" in out.getvalue()
    link = ProductLink.objects.get(product=product)
    sales.update_product(product, actor=editor, values={"name": "Support A"})
    change_item(qb, link.item_id, Name="Support B")
    out = StringIO()
    call_command("quickbooks_sync_products", stdout=out)
    assert "conflict: Support A (name)" in out.getvalue()


def test_the_command_exits_1_when_a_run_fails(
    qb: QuickBooksClient, income: QuickBooksConnection, product: Product
) -> None:  # SPEC QB-5
    category(qb, "Support plan")
    with pytest.raises(SystemExit) as exited:
        call_command("quickbooks_sync_products", stdout=StringIO(), stderr=StringIO())
    assert exited.value.code == 1
