"""The sandbox's objects: in memory for speed, written through to SQLite when `--data` names a
file. Every object is a dict in Stripe's shape; keys starting with `_` are the sandbox's own
bookkeeping (the card used, the owning account) and never leave it."""

from __future__ import annotations

import copy
import json
import secrets
import sqlite3
import string
import threading
from collections import defaultdict
from typing import Any

from stripe_sandbox.clock import Clock

ALPHABET = string.ascii_letters + string.digits
SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, body TEXT NOT NULL);
"""


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy without the sandbox's bookkeeping keys."""
    return {key: copy.deepcopy(value) for key, value in obj.items() if not key.startswith("_")}


class Store:
    """Objects by id, each with its `_account`; `lock` serialises every change."""

    def __init__(self, path: str = ":memory:") -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.objects: dict[str, dict[str, Any]] = {}
        # Ids per (account, object type), oldest first: what list endpoints page through.
        self.order: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.keys: dict[str, str] = {}
        self.db: sqlite3.Connection | None = None
        if path != ":memory:":
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self.db.executescript(SCHEMA)
            for (body,) in self.db.execute("SELECT body FROM objects ORDER BY seq"):
                self.index(json.loads(body))

    def index(self, obj: dict[str, Any]) -> None:
        known = obj["id"] in self.objects
        self.objects[obj["id"]] = obj
        if obj["object"] == "account":
            self.keys[obj["_secret_key"]] = obj["id"]
        elif not known:
            self.order[(obj["_account"], obj["object"])].append(obj["id"])

    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Add or replace an object (the same dict, changed in place, is saved again)."""
        with self.lock:
            self.index(obj)
            if self.db is not None:
                self.db.execute(
                    "INSERT INTO objects (id, body) VALUES (?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                    (obj["id"], json.dumps(obj)),
                )
            return obj

    def get(self, account: str, object_id: str, kind: str | None = None) -> dict[str, Any] | None:
        obj = self.objects.get(object_id)
        if obj is None or obj.get("_account") != account:
            return None
        if kind is not None and obj["object"] != kind:
            return None
        return obj

    def all(self, account: str, kind: str) -> list[dict[str, Any]]:
        """Newest first, as Stripe lists."""
        with self.lock:
            ids = list(self.order.get((account, kind), ()))
        return [self.objects[i] for i in reversed(ids) if i in self.objects]

    def delete(self, object_id: str) -> None:
        with self.lock:
            obj = self.objects.pop(object_id, None)
            if obj is None:
                return
            ids = self.order.get((obj.get("_account", ""), obj["object"]))
            if ids and object_id in ids:
                ids.remove(object_id)
            if self.db is not None:
                self.db.execute("DELETE FROM objects WHERE id = ?", (object_id,))

    def account_for_key(self, secret_key: str) -> dict[str, Any] | None:
        account_id = self.keys.get(secret_key)
        return self.objects.get(account_id) if account_id else None
