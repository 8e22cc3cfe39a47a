"""Calls to other servers (a mail server, a webhook receiver, QuickBooks, Stripe) never run inside
a database transaction.

A transaction that waits on another server holds its locks for as long as that server takes: on
SQLite that is the one write lock, so a mail server that never answers stops every write. Every
call to another server is made inside `external_call(...)`, which refuses to start while any
database connection is in a transaction. The pattern around it: claim the row in a short
transaction, commit, call (with a timeout), record the outcome in a second short transaction.
`faktura/core/tests/test_outside.py` checks that each module that talks to the network uses it."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections


class InsideTransaction(RuntimeError):
    """A call to another server was about to be made while a transaction held its locks."""


def open_transactions() -> list[str]:
    """The aliases of database connections that are in a transaction now.

    The transaction a test wraps around each test (Django's TestCase, pytest-django's `db`) is
    not one the code made: Django marks it (`_from_testcase`, as its own durable-block check
    reads it), so code under test is judged as in production."""
    found = []
    for connection in connections.all(initialized_only=True):
        made_by_code = [b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", 0)]
        # Autocommit turned off by hand is a transaction too; a test's own block turns it off.
        by_hand = (
            not connection.atomic_blocks
            and connection.connection is not None
            and not connection.autocommit
        )
        if made_by_code or by_hand:
            found.append(connection.alias)
    return found


@contextmanager
def external_call(what: str) -> Iterator[None]:
    """Wrap a call to another server (`what` names it, for the error): refused inside a
    transaction, where it would hold the database's locks until that server answers."""
    if aliases := open_transactions():
        raise InsideTransaction(
            f"Calling {what} inside a database transaction (on {', '.join(aliases)}) would hold "
            "the database's locks until it answers. Commit first: claim the row in one short "
            "transaction, call outside it, then record the outcome in another."
        )
    yield
