"""No call to another server inside a database transaction (core.outside): the guard refuses
one, lets one through outside (also under the transaction a test wraps around itself), and every
module that talks to the network goes through it."""

import re
from pathlib import Path

import pytest
from django.db import connection, transaction

from faktura.core.outside import InsideTransaction, external_call, open_transactions

pytestmark = pytest.mark.django_db

FAKTURA = Path(__file__).resolve().parents[2]
# What talking to another server looks like in Python and Django; a new client (QuickBooks,
# Stripe) uses one of these and must go through external_call too.
NETWORK = re.compile(
    r"\bmailers\.|smtplib\.SMTP(_SSL)?\(|HTTPS?Connection\(|urlopen\(|create_connection\("
    r"|network\.(resolve|open_connection)\(|^\s*(import|from) (requests|httpx|urllib3|aiohttp"
    r"|stripe|intuitlib|quickbooks)\b",
    re.MULTILINE,
)
# The library the calls are made with, and the guard itself.
TOOLS = {FAKTURA / "core" / "network.py", FAKTURA / "core" / "outside.py"}


def test_a_call_inside_a_transaction_is_refused():
    called = []
    refused = pytest.raises(InsideTransaction, match="Commit first")
    with transaction.atomic(), refused, external_call("the mail server"):
        called.append("the server")
    assert called == []


def test_a_call_inside_a_savepoint_less_block_is_refused():
    with transaction.atomic(durable=False, savepoint=False):
        assert open_transactions() == ["default"]


def test_a_call_outside_a_transaction_goes_through():
    # The test's own wrapping transaction is not one the code opened.
    assert connection.in_atomic_block
    with external_call("the mail server"):
        assert open_transactions() == []


@pytest.mark.django_db(transaction=True)
def test_autocommit_turned_off_by_hand_counts_as_a_transaction():
    transaction.set_autocommit(False)
    try:
        with pytest.raises(InsideTransaction), external_call("a webhook receiver"):
            pass
    finally:
        transaction.rollback()
        transaction.set_autocommit(True)
    with external_call("a webhook receiver"):
        pass


def test_the_guard_works_as_a_decorator():
    @external_call("Stripe")
    def charge() -> str:
        return "charged"

    assert charge() == "charged"
    with transaction.atomic(), pytest.raises(InsideTransaction, match="Calling Stripe"):
        charge()


def test_every_module_that_talks_to_another_server_goes_through_the_guard():
    callers = {
        path
        for path in FAKTURA.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and path not in TOOLS
        if NETWORK.search(path.read_text())
    }
    # The two that exist today: the pattern still finds them.
    assert {p.relative_to(FAKTURA).as_posix() for p in callers} >= {
        "emails/services.py",
        "workflows/actions/webhook.py",
    }
    unguarded = sorted(
        str(path.relative_to(FAKTURA))
        for path in callers
        if "external_call" not in path.read_text()
    )
    assert unguarded == [], (
        f"{', '.join(unguarded)} talk to another server without core.outside.external_call"
    )
