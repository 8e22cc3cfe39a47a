"""Product sync between Faktura's product library and a QuickBooks company's items (QB-5).

Items become products and products become items, tied by a ProductLink that keeps the values
both sides had at the last sync ({"faktura": {…}, "quickbooks": {…}}). On later runs a field
changed on one side only is copied to the other; a field changed on both sides is a conflict,
listed on the run and never overwritten, until a person keeps one side (`resolve_conflict`).
Unlinked products and items with the same SKU (else the same name) are linked, not duplicated."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.history import services as history
from faktura.quickbooks import rules
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.errors import QuickBooksError
from faktura.quickbooks.matching import (
    SELLABLE_TYPES,
    SYNCED_FIELDS,
    DefaultMissing,
    item_fields,
    item_values,
    link_product,
    product_values,
    require_income_account,
)
from faktura.quickbooks.models import (
    ProductLink,
    ProductSyncRun,
    QuickBooksConnection,
    SyncStatus,
)
from faktura.sales import services as sales
from faktura.sales.models import Product

log = logging.getLogger(__name__)

QUICKBOOKS = Actor.integration("QuickBooks")
# Product property names (faktura.sales.properties.PRODUCT) for each synced field.
PRODUCT_PROPERTY = {"name": "name", "sku": "hs_sku", "description": "description",
                    "unit_price": "price"}  # fmt: skip
MAX_PROBLEMS_SHOWN = 10
COUNTS = ("imported", "pushed", "linked", "updated")


def request_product_sync(
    connection: QuickBooksConnection, *, actor: Actor, enqueue: bool = True
) -> ProductSyncRun:
    """Queue a sync of the connection's products (for the task worker unless `enqueue` is
    False: the caller runs it); a sync already waiting or running is it."""
    require(rules.can_manage_quickbooks(actor))
    require(rules.can_use(connection))
    with transaction.atomic():
        QuickBooksConnection.objects.select_for_update().get(pk=connection.pk)
        pending = ProductSyncRun.objects.filter(
            connection=connection, status__in=(SyncStatus.QUEUED, SyncStatus.RUNNING)
        ).first()
        if pending is not None:
            return pending
        run = ProductSyncRun.objects.create(
            connection=connection,
            status=SyncStatus.QUEUED,
            requested_by=actor.user,  # type: ignore[misc]
        )
        history.record_event(
            connection, "quickbooks.product_sync_requested", actor=actor, data={"run": run.pk}
        )
        run_id = run.pk
        if enqueue:
            transaction.on_commit(lambda: _enqueue(run_id))
    return run


def _enqueue(run_id: int) -> None:
    from faktura.quickbooks.tasks import sync_products

    sync_products.enqueue(run_id)


def run_product_sync(run_id: int) -> ProductSyncRun:
    """Do one queued run: RUNNING, then DONE or FAILED with what it did and why it stopped.
    Safe to run again: a finished run is left as it is, an interrupted one starts over (links
    and requestids keep it from making anything twice)."""
    with transaction.atomic():
        run = ProductSyncRun.objects.select_for_update().select_related("connection").get(
            pk=run_id
        )  # fmt: skip
        if run.status in (SyncStatus.DONE, SyncStatus.FAILED):
            return run
        run.status, run.started_at = SyncStatus.RUNNING, timezone.now()
        run.imported = run.pushed = run.linked = run.updated = 0
        run.conflicts, run.message = [], ""
        run.save(update_fields=["status", "started_at", *COUNTS, "conflicts", "message"])
    sync = _Sync(run)
    try:
        if not (usable := rules.can_use(run.connection)):
            raise RuleViolation(usable.reason)
        sync.run()
    except (QuickBooksError, RuleViolation) as error:
        sync.problems.insert(0, str(error))
        sync.stopped = True
    run.status = SyncStatus.FAILED if sync.stopped or sync.problems else SyncStatus.DONE
    run.message = sync.message()
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "message", "finished_at", *COUNTS, "conflicts"])
    return run


class _Sync:
    def __init__(self, run: ProductSyncRun) -> None:
        self.run_row = run
        self.connection = run.connection
        self.client = QuickBooksClient(run.connection)
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.stopped = False

    def request_id(self, what: str, ref: object) -> str:
        return f"qbps{self.run_row.pk}-{what}{ref}"

    def run(self) -> None:
        items = {
            str(item["Id"]): item
            for item in self.client.query_all("SELECT * FROM Item")
            if item.get("Type") in SELLABLE_TYPES and item.get("Active", True) is not False
        }
        products = {p.pk: p for p in Product.objects.filter(archived_at__isnull=True)}
        links = list(ProductLink.objects.filter(connection=self.connection))
        linked_items = {link.item_id for link in links}
        linked_products = {link.product_id for link in links}
        for link in links:
            item, product = items.get(link.item_id), products.get(link.product_id)
            # A side archived or deleted since: nothing to copy; matching ignores the link.
            if item is not None and product is not None:
                self.guarded(product.name, self.merge, link, product, item)
        free_items = [i for k, i in items.items() if k not in linked_items]
        free_products = [p for k, p in products.items() if k not in linked_products]
        for product, item in _pairs(free_products, free_items):
            self.guarded(product.name, self.link_new, product, item)
        for item in free_items:
            self.guarded(str(item.get("Name")), self.import_item, item)
        if free_products:
            try:
                require_income_account(self.connection)
            except DefaultMissing as missing:
                self.notes.append(str(missing))
                return
        for product in free_products:
            self.guarded(product.name, self.push, product)

    def guarded(self, name: str, step: Any, *args: Any) -> None:
        """One product's step; a refusal of it is reported with the product's `name` and the
        rest go on, while an error that stops every call (reconnect, throttled past waiting)
        ends the run."""
        try:
            step(*args)
        except QuickBooksError as error:
            if error.retryable or error.status == 401:
                raise
            self.problems.append(f"“{name}”: {error}")
        except RuleViolation as error:
            self.problems.append(f"“{name}”: {error}")

    def merge(self, link: ProductLink, product: Product, item: dict[str, Any]) -> None:
        synced = link.synced_values or {}
        base_f, base_q = synced.get("faktura", {}), synced.get("quickbooks", {})
        now_f, now_q = product_values(product), item_values(item)
        to_item: dict[str, str] = {}
        to_product: dict[str, str] = {}
        for field in SYNCED_FIELDS:
            changed_f = now_f[field] != base_f.get(field)
            changed_q = now_q[field] != base_q.get(field)
            if now_f[field] == now_q[field] or not (changed_f or changed_q):
                continue
            if changed_f and changed_q:
                self.run_row.conflicts.append({
                    "product_id": product.pk, "item_id": link.item_id, "name": product.name,
                    "field": field, "faktura": now_f[field], "quickbooks": now_q[field],
                })  # fmt: skip
            elif changed_f:
                to_item[field] = now_f[field]
            else:
                to_product[field] = now_q[field]
        if to_item:
            item = self.client.update(
                "Item",
                {"Id": item["Id"], "SyncToken": item["SyncToken"], **item_fields(to_item)},
                request_id=self.request_id("u", f"{item['Id']}-{item['SyncToken']}"),
            )
            now_q = item_values(item)
        if to_product:
            product = _update_product(product, to_product)
            now_f = product_values(product)
        # Fields in conflict keep their old base, so the conflict is shown until settled.
        conflicted = {c["field"] for c in self.run_row.conflicts if c["product_id"] == product.pk}
        _store_base(link, item, now_f, now_q, keep=conflicted)
        self.run_row.updated += bool(to_item or to_product)

    def link_new(self, product: Product, item: dict[str, Any]) -> None:
        """A product and an item that were the same before sync knew them: linked, with the
        fields they disagree on shown as conflicts (no side is newer)."""
        link = link_product(self.connection, product, item, synced={})
        self.run_row.linked += 1
        self.merge(link, product, item)

    def import_item(self, item: dict[str, Any]) -> None:
        values = item_values(item)
        product = sales.create_product(
            actor=QUICKBOOKS, **{PRODUCT_PROPERTY[f]: values[f] for f in SYNCED_FIELDS}
        )
        link_product(
            self.connection, product, item,
            synced={"faktura": product_values(product), "quickbooks": values},
        )  # fmt: skip
        self.run_row.imported += 1

    def push(self, product: Product) -> None:
        values = product_values(product)
        body = {
            **{k: v for k, v in item_fields(values).items() if v != ""},
            "Type": "Service",
            "IncomeAccountRef": {"value": self.connection.income_account_id},
        }
        item = self.client.create("Item", body, request_id=self.request_id("p", product.pk))
        link_product(
            self.connection, product, item,
            synced={"faktura": values, "quickbooks": item_values(item)},
        )  # fmt: skip
        self.run_row.pushed += 1

    def message(self) -> str:
        run = self.run_row
        parts = [
            ngettext("%(n)s product imported", "%(n)s products imported", run.imported)
            % {"n": run.imported},
            ngettext("%(n)s product pushed", "%(n)s products pushed", run.pushed)
            % {"n": run.pushed},
            ngettext("%(n)s pair linked", "%(n)s pairs linked", run.linked) % {"n": run.linked},
            ngettext("%(n)s updated", "%(n)s updated", run.updated) % {"n": run.updated},
        ]
        text = ", ".join(parts) + "."
        if run.conflicts:
            text += " " + ngettext(
                "%(n)s change was made on both sides; choose which to keep.",
                "%(n)s changes were made on both sides; choose which to keep.",
                len(run.conflicts),
            ) % {"n": len(run.conflicts)}
        shown = self.notes + self.problems[:MAX_PROBLEMS_SHOWN]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            shown.append(_("…and %(n)s more.") % {"n": len(self.problems) - MAX_PROBLEMS_SHOWN})
        return " ".join([text, *shown])


def _pairs(products: list[Product], items: list[dict[str, Any]]) -> list[tuple[Product, Any]]:
    """Unlinked products and items that are the same thing: by SKU, else by name. The paired
    ones are taken out of both lists."""
    pairs = []
    for field in ("sku", "name"):
        by_value: dict[str, dict[str, Any]] = {}
        for candidate in items:
            if value := item_values(candidate)[field].casefold():
                by_value.setdefault(value, candidate)
        for product in list(products):
            value = product_values(product)[field].casefold()
            if value and (item := by_value.pop(value, None)) is not None:
                pairs.append((product, item))
                products.remove(product)
                items.remove(item)
    return pairs


def _update_product(product: Product, values: Mapping[str, str]) -> Product:
    return sales.update_product(
        product, actor=QUICKBOOKS, values={PRODUCT_PROPERTY[f]: v for f, v in values.items()}
    )


def _store_base(
    link: ProductLink,
    item: Mapping[str, Any],
    faktura: dict[str, str],
    quickbooks: dict[str, str],
    *,
    keep: set[str],
) -> None:
    old = link.synced_values or {}
    for side, now in (("faktura", faktura), ("quickbooks", quickbooks)):
        for field in keep:
            if field in old.get(side, {}):
                now[field] = old[side][field]
            else:
                now.pop(field, None)
    link.synced_values = {"faktura": faktura, "quickbooks": quickbooks}
    link.item_name = str(item.get("Name", ""))[:200]
    link.synced_at = timezone.now()
    link.save(update_fields=["synced_values", "item_name", "synced_at"])


def resolve_conflict(run: ProductSyncRun, index: int, *, keep: str, actor: Actor) -> ProductSyncRun:
    """Settle conflict `index` of `run` by keeping the Faktura or the QuickBooks value: it is
    written to the other side, and the conflict leaves the list."""
    require(rules.can_manage_quickbooks(actor))
    require(rules.can_use(run.connection))
    if keep not in ("faktura", "quickbooks"):
        raise RuleViolation(_("Choose whether to keep the Faktura or the QuickBooks value."))
    run.refresh_from_db()
    if not 0 <= index < len(run.conflicts):
        raise RuleViolation(_("That conflict was already settled. Reload the page."))
    conflict = run.conflicts[index]
    field = conflict["field"]
    link = ProductLink.objects.filter(
        connection=run.connection, product_id=conflict["product_id"], item_id=conflict["item_id"]
    ).first()
    product = Product.objects.filter(pk=conflict["product_id"]).first()
    if link is None or product is None:
        raise RuleViolation(
            _("The product or its QuickBooks item is no longer linked; run product sync again.")
        )
    client = QuickBooksClient(run.connection)
    item = client.read("Item", link.item_id)
    if keep == "faktura":
        value = product_values(product)[field]
        item = client.update(
            "Item",
            {"Id": item["Id"], "SyncToken": item["SyncToken"], **item_fields({field: value})},
            request_id=f"qbps{run.pk}-r{item['Id']}-{item['SyncToken']}",
        )
    else:
        product = _update_product(product, {field: item_values(item)[field]})
    with transaction.atomic():
        locked = ProductSyncRun.objects.select_for_update().get(pk=run.pk)
        locked.conflicts = [
            c for c in locked.conflicts
            if (c["product_id"], c["item_id"], c["field"])
            != (conflict["product_id"], conflict["item_id"], field)
        ]  # fmt: skip
        locked.save(update_fields=["conflicts"])
        link.refresh_from_db()
        base = link.synced_values or {}
        faktura = {**base.get("faktura", {}), field: product_values(product)[field]}
        quickbooks = {**base.get("quickbooks", {}), field: item_values(item)[field]}
        _store_base(link, item, faktura, quickbooks, keep=set())
        history.record_event(
            run.connection,
            "quickbooks.product_conflict_settled",
            actor=actor,
            data={"product": product.pk, "item": link.item_id, "field": field, "kept": keep},
        )
    return locked
