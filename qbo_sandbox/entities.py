"""Entity operations as QBO answers them: create, read, full/sparse update, delete, void."""

from __future__ import annotations

import importlib
from typing import Any

from qbo_sandbox import faults, transactions
from qbo_sandbox.clock import meta_time
from qbo_sandbox.companies import CLASSIFICATION, DEFAULT_TAX_CODE, USD
from qbo_sandbox.store import Store

NAMES = ("Customer", "Vendor", "Employee")
NAME_LISTS = (*NAMES, "Item", "Account", "Term", "TaxCode", "PaymentMethod")
SINGLETONS = ("CompanyInfo", "Preferences")
ENTITIES = (*NAME_LISTS, *transactions.TRANSACTIONS, *SINGLETONS)
BY_PATH = {name.lower(): name for name in ENTITIES}
READ_ONLY = ("TaxCode",)
NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
# Fields the server owns: what a client sends for them is ignored.
SERVER_FIELDS = ("domain", "sparse", "MetaData", "status")


def as_qbo_reads(value: Any) -> Any:
    """Treat the input as QBO does: empty strings are absent (python-quickbooks sends them)."""
    if isinstance(value, dict):
        return {k: as_qbo_reads(v) for k, v in value.items() if v != "" and v is not None}
    if isinstance(value, list):
        return [as_qbo_reads(v) for v in value]
    return value


def normalised(body: dict[str, Any]) -> dict[str, Any]:
    body = as_qbo_reads(body)
    if isinstance(body.get("SyncToken"), int | float):
        body["SyncToken"] = str(int(body["SyncToken"]))
    if "Id" in body:
        body["Id"] = str(body["Id"])
    return body


def check_schema(entity: str, body: dict[str, Any]) -> None:
    """Intuit's schema check (qbo_sandbox.schema) when that module is present."""
    try:
        schema = importlib.import_module("qbo_sandbox.schema")
    except ImportError:
        return
    try:
        schema.check(entity, body)
    except schema.SchemaError as error:
        # QBO's 2010 fault carries no `element` (error/400_json.yml).
        raise faults.validation(str(error.code), error.message, error.detail) from error


class Entities:
    """Entity operations of one sandbox (all companies)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def read(self, realm: str, entity: str, entity_id: str) -> dict[str, Any]:
        if entity in SINGLETONS:
            entity_id = "1"
        checked_id(entity_id)
        found = self.store.get(realm, entity, entity_id)
        if found is None:
            raise faults.not_found()
        return found

    def create(self, realm: str, entity: str, raw: dict[str, Any]) -> dict[str, Any]:
        if entity in READ_ONLY or entity in SINGLETONS:
            raise faults.unsupported("Create")
        body = normalised(raw)
        check_schema(entity, body)
        for key in (*SERVER_FIELDS, "Id", "SyncToken"):
            body.pop(key, None)
        with self.store.transaction():
            body = self.completed(realm, entity, body, None)
            stored = self.store.insert(realm, entity, {**body, **stamp(None)})
            self.after_write(realm, entity, stored, None)
            return self.read(realm, entity, stored["Id"])

    def update(
        self, realm: str, entity: str, raw: dict[str, Any], void: bool = False
    ) -> dict[str, Any]:
        if entity in READ_ONLY:
            raise faults.unsupported("Update")
        body = normalised(raw)
        sparse = body.get("sparse") is True
        check_schema(entity, body)
        with self.store.transaction():
            existing = self.current(realm, entity, body)
            for key in SERVER_FIELDS:
                body.pop(key, None)
            if void:
                merged = transactions.voided(entity, existing)
            elif sparse:
                merged = {**existing, **body}
            else:
                merged = {**body, "Id": existing["Id"]}
            merged = self.completed(realm, entity, merged, existing)
            if without_stamp(merged) == without_stamp(existing):
                return existing
            stored = {**merged, **stamp(existing), "Id": existing["Id"]}
            self.store.put(realm, entity, stored)
            self.after_write(realm, entity, stored, existing)
            return self.read(realm, entity, stored["Id"])

    def delete(self, realm: str, entity: str, raw: dict[str, Any]) -> dict[str, Any]:
        body = normalised(raw)
        if entity == "Term":
            # QBO deactivates a term it is asked to delete.
            return self.update(realm, entity, {**body, "sparse": True, "Active": False})
        if entity not in transactions.TRANSACTIONS:
            raise faults.unsupported("Delete")
        with self.store.transaction():
            existing = self.current(realm, entity, body)
            self.store.delete(realm, entity, existing["Id"])
            self.after_write(realm, entity, None, existing)
        return {"domain": "QBO", "status": "Deleted", "Id": existing["Id"]}

    def void(self, realm: str, entity: str, raw: dict[str, Any]) -> dict[str, Any]:
        if entity not in transactions.VOIDABLE:
            raise faults.unsupported("Void")
        return self.update(realm, entity, raw, void=True)

    def rows_of(self, realm: str, name: str) -> list[dict[str, Any]]:
        """The query language's rows of an entity named in any case; none for an unknown one."""
        entity = BY_PATH.get(name.lower())
        return [] if entity is None else self.store.rows(realm, entity)

    # Internals

    def current(self, realm: str, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        """The stored entity an update or delete names, with its SyncToken checked."""
        if entity in SINGLETONS:
            body.setdefault("Id", "1")
        if "Id" not in body:
            raise faults.required_missing("Id")
        checked_id(body["Id"])
        existing = self.store.get(realm, entity, body["Id"])
        if existing is None:
            raise faults.not_found()
        if "SyncToken" not in body:
            raise faults.required_missing("SyncToken")
        if body["SyncToken"] != existing["SyncToken"]:
            raise faults.stale_object()
        return existing

    def completed(
        self, realm: str, entity: str, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The body with QBO's required-field checks, defaults and computed fields."""
        if entity in NAMES:
            return self.named(realm, entity, body)
        if entity == "Item":
            return self.item(realm, body)
        if entity == "Account":
            return self.account(realm, body)
        if entity == "Term":
            return self.term(realm, body)
        if entity == "PaymentMethod":
            require(body, "Name")
            self.unique(realm, entity, (entity,), "Name", body)
            return {"Active": True, "Type": "NON_CREDIT_CARD", **body}
        if entity in transactions.TRANSACTIONS:
            return transactions.completed(self.store, realm, entity, body, existing)
        return body

    def after_write(
        self, realm: str, entity: str, new: dict[str, Any] | None, old: dict[str, Any] | None
    ) -> None:
        if entity in ("Payment", "Invoice"):
            transactions.rebalance(self.store, realm, entity, new, old)

    def named(self, realm: str, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        if "DisplayName" not in body:
            parts = [body[p] for p in NAME_PARTS if p in body]
            if not parts:
                raise faults.required_missing("DisplayName")
            body["DisplayName"] = " ".join(str(p) for p in parts)
        deactivated(body, "DisplayName")
        qualified = body["DisplayName"]
        defaults: dict[str, Any] = {"Active": True, "CurrencyRef": USD, "Balance": 0}
        if entity == "Customer" and "ParentRef" in body:
            # A job (sub-customer): named Parent:Child, unique by that full name.
            parent = self.read_ref(realm, "ParentRef", body["ParentRef"])
            qualified = f"{parent['FullyQualifiedName']}:{qualified}"
            defaults |= {"Job": True, "Level": parent.get("Level", 0) + 1}
        self.unique(
            realm, entity, NAMES, "FullyQualifiedName", {**body, "FullyQualifiedName": qualified}
        )
        body.setdefault("PrintOnCheckName", body["DisplayName"])
        if entity == "Customer":
            defaults = {
                "Taxable": True,
                "Job": False,
                "BillWithParent": False,
                "BalanceWithJobs": 0,
                "PreferredDeliveryMethod": "Print",
                "DefaultTaxCodeRef": {"value": DEFAULT_TAX_CODE},
                **defaults,
            }
            for ref in ("SalesTermRef", "PaymentMethodRef"):
                if ref in body:
                    self.referred(realm, ref, body[ref])
        if entity == "Vendor":
            defaults |= {"Vendor1099": False}
        if entity == "Employee":
            defaults = {"Active": True, "BillableTime": False}
        if entity != "Customer":
            # QBO gives only customers (which nest as jobs) a FullyQualifiedName.
            return {**defaults, **body}
        return {**defaults, **body, "FullyQualifiedName": qualified}

    def item(self, realm: str, body: dict[str, Any]) -> dict[str, Any]:
        require(body, "Name")
        body.setdefault("Type", "Inventory" if body.get("TrackQtyOnHand") else "NonInventory")
        if body["Type"] in ("Service", "NonInventory", "Inventory"):
            require(body, "IncomeAccountRef")
        if body["Type"] == "Inventory":
            for field in ("AssetAccountRef", "ExpenseAccountRef", "InvStartDate"):
                require(body, field)
        for ref in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
            if ref in body:
                body[ref] = self.referred(realm, ref, body[ref])
        deactivated(body, "Name")
        self.unique(realm, "Item", ("Item",), "Name", body)
        defaults = {
            "Active": True,
            "Taxable": False,
            "UnitPrice": 0,
            "PurchaseCost": 0,
            "TrackQtyOnHand": body["Type"] == "Inventory",
        }
        return {**defaults, **body, "FullyQualifiedName": body["Name"]}

    def account(self, realm: str, body: dict[str, Any]) -> dict[str, Any]:
        require(body, "Name")
        require(body, "AccountType")
        if body["AccountType"] not in CLASSIFICATION:
            raise faults.invalid_enumeration(body["AccountType"], "AccountType")
        deactivated(body, "Name")
        self.unique(realm, "Account", ("Account",), "Name", body)
        defaults = {
            "SubAccount": False,
            "Active": True,
            "CurrentBalance": 0,
            "CurrentBalanceWithSubAccounts": 0,
            "CurrencyRef": USD,
        }
        return {
            **defaults,
            **body,
            "FullyQualifiedName": body["Name"],
            "Classification": CLASSIFICATION[body["AccountType"]],
        }

    def term(self, realm: str, body: dict[str, Any]) -> dict[str, Any]:
        require(body, "Name")
        if "DueDays" not in body and "DayOfMonthDue" not in body:
            raise faults.required_missing("DueDays")
        self.unique(realm, "Term", ("Term",), "Name", body)
        kind = "STANDARD" if "DueDays" in body else "DATE_DRIVEN"
        return {"Active": True, **body, "Type": kind}

    def unique(
        self, realm: str, own: str, entities: tuple[str, ...], field: str, body: dict[str, Any]
    ) -> None:
        """Names are unique (case-insensitively) across `entities`, 6240 otherwise; rows
        without `field` (vendors, employees) are named by their DisplayName."""
        wanted = str(body[field]).strip().lower()
        for entity in entities:
            for row in self.store.rows(realm, entity):
                same = entity == own and row["Id"] == body.get("Id")
                name = row.get(field) or row.get("DisplayName", "")
                if not same and str(name).strip().lower() == wanted:
                    raise faults.duplicate_name(entity, body[field], row["Id"])

    def referred(self, realm: str, field: str, ref: Any) -> dict[str, Any]:
        return transactions.referred(self.store, realm, field, ref)

    def read_ref(self, realm: str, field: str, ref: Any) -> dict[str, Any]:
        """The stored row a reference names (checked as transactions.referred checks it)."""
        value = self.referred(realm, field, ref)["value"]
        return self.read(realm, transactions.REFERS_TO[field], value)


def require(body: dict[str, Any], field: str) -> None:
    if field not in body:
        raise faults.required_missing(field)


def deactivated(body: dict[str, Any], field: str) -> None:
    """QBO renames what it deactivates: "Fees Billed" becomes "Fees Billed (deleted)"."""
    if body.get("Active") is False and not str(body[field]).endswith(" (deleted)"):
        body[field] = f"{body[field]} (deleted)"


def checked_id(entity_id: str) -> None:
    if not str(entity_id).isdigit():
        raise faults.invalid_id(entity_id)


def stamp(existing: dict[str, Any] | None) -> dict[str, Any]:
    """SyncToken and MetaData of a new version of an entity."""
    now = meta_time()
    if existing is None:
        return {
            "domain": "QBO",
            "sparse": False,
            "SyncToken": "0",
            "MetaData": {"CreateTime": now, "LastUpdatedTime": now},
        }
    return {
        "domain": "QBO",
        "sparse": False,
        "SyncToken": str(int(existing["SyncToken"]) + 1),
        "MetaData": {**existing["MetaData"], "LastUpdatedTime": now},
    }


def without_stamp(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in (*SERVER_FIELDS, "SyncToken")}
