"""The sandbox's state in SQLite: companies, entities as JSON rows, OAuth clients and tokens."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qbo_sandbox.clock import Clock

SCHEMA = """
CREATE TABLE IF NOT EXISTS companies (
    realm_id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    realm_id TEXT NOT NULL, entity TEXT NOT NULL, id INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL,
    PRIMARY KEY (realm_id, entity, id));
CREATE TABLE IF NOT EXISTS sequences (
    realm_id TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (realm_id, name));
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, redirect_uris TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes (
    code TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    realm_id TEXT NOT NULL, scope TEXT NOT NULL, expires_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS grants (
    grant_id INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL, realm_id TEXT NOT NULL,
    scope TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, grant_id INTEGER NOT NULL, kind TEXT NOT NULL,
    expires_at REAL NOT NULL, superseded_at REAL);
CREATE TABLE IF NOT EXISTS answers (
    realm_id TEXT NOT NULL, request_id TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (realm_id, request_id));
"""


class Store:
    """One SQLite connection shared by the server's threads; every use holds `lock`."""

    def __init__(self, path: str = ":memory:") -> None:
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        self.clock = Clock()
        self.db.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing writes; nested uses join the outer transaction."""
        with self.lock:
            if self.db.in_transaction:
                yield self.db
                return
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def one(self, sql: str, *params: Any) -> sqlite3.Row | None:
        with self.lock:
            row: sqlite3.Row | None = self.db.execute(sql, params).fetchone()
            return row

    def all(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        with self.lock:
            return list(self.db.execute(sql, params).fetchall())

    def run(self, sql: str, *params: Any) -> None:
        with self.transaction() as db:
            db.execute(sql, params)

    # Companies

    def add_company(self, name: str) -> str:
        # Intuit realm ids are long decimal numbers, e.g. 9341452732952867.
        realm_id = str(secrets.randbelow(9 * 10**15) + 10**15)
        self.run("INSERT INTO companies VALUES (?, ?, ?)", realm_id, name, self.clock.now())
        return realm_id

    def companies(self) -> list[dict[str, str]]:
        rows = self.all("SELECT realm_id, name FROM companies ORDER BY created, realm_id")
        return [{"realm_id": r["realm_id"], "name": r["name"]} for r in rows]

    def company_exists(self, realm_id: str) -> bool:
        return self.one("SELECT 1 FROM companies WHERE realm_id = ?", realm_id) is not None

    # Entities

    def insert(self, realm_id: str, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        """Store a new entity under its given Id (seed data) or the next Id of its type."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT COALESCE(MAX(id), 0) + 1 FROM entities WHERE realm_id = ? AND entity = ?",
                (realm_id, entity),
            ).fetchone()
            new_id = int(body.get("Id") or row[0])
            body = {**body, "Id": str(new_id)}
            db.execute(
                "INSERT INTO entities (realm_id, entity, id, body) VALUES (?, ?, ?, ?)",
                (realm_id, entity, new_id, json.dumps(body)),
            )
        return body

    def get(self, realm_id: str, entity: str, entity_id: str) -> dict[str, Any] | None:
        if not entity_id.isdigit():
            return None
        row = self.one(
            "SELECT body FROM entities "
            "WHERE realm_id = ? AND entity = ? AND id = ? AND deleted = 0",
            realm_id,
            entity,
            int(entity_id),
        )
        return None if row is None else dict(json.loads(row["body"]))

    def put(self, realm_id: str, entity: str, body: dict[str, Any]) -> None:
        self.run(
            "UPDATE entities SET body = ? WHERE realm_id = ? AND entity = ? AND id = ?",
            json.dumps(body),
            realm_id,
            entity,
            int(body["Id"]),
        )

    def delete(self, realm_id: str, entity: str, entity_id: str) -> None:
        self.run(
            "UPDATE entities SET deleted = 1 WHERE realm_id = ? AND entity = ? AND id = ?",
            realm_id,
            entity,
            int(entity_id),
        )

    def rows(self, realm_id: str, entity: str) -> list[dict[str, Any]]:
        found = self.all(
            "SELECT body FROM entities WHERE realm_id = ? AND entity = ? AND deleted = 0 "
            "ORDER BY id",
            realm_id,
            entity,
        )
        return [dict(json.loads(r["body"])) for r in found]

    def next_number(self, realm_id: str, name: str, first: int) -> int:
        """The next number of a per-company sequence (DocNumber), starting at `first`."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT value FROM sequences WHERE realm_id = ? AND name = ?", (realm_id, name)
            ).fetchone()
            value = first if row is None else int(row[0]) + 1
            db.execute("INSERT OR REPLACE INTO sequences VALUES (?, ?, ?)", (realm_id, name, value))
        return value

    # requestid: the first answer to a request id, per company

    def answer_for(self, realm_id: str, request_id: str) -> tuple[int, dict[str, Any]] | None:
        row = self.one(
            "SELECT status, body FROM answers WHERE realm_id = ? AND request_id = ?",
            realm_id,
            request_id,
        )
        return None if row is None else (int(row["status"]), dict(json.loads(row["body"])))

    def keep_answer(
        self, realm_id: str, request_id: str, status: int, body: dict[str, Any]
    ) -> None:
        self.run(
            "INSERT OR IGNORE INTO answers VALUES (?, ?, ?, ?)",
            realm_id,
            request_id,
            status,
            json.dumps(body),
        )
