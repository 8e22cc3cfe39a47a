"""Intuit's limits per company held by Faktura (QB-12), against the sandbox process: a call
that would wait longer than its caller allows gives the wait back as a retryable error, and a
429 pauses the company for as long as QuickBooks asked."""

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection as database

from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.errors import QuickBooksError
from faktura.quickbooks.models import CompanyBudget, QuickBooksConnection
from tests.qbo import Sandbox

pytestmark = pytest.mark.django_db


def test_a_call_over_the_per_minute_budget_gives_back_a_retryable_wait(
    sandbox: Sandbox, connection: QuickBooksConnection, settings: Any
) -> None:  # SPEC QB-12
    settings.QUICKBOOKS_REQUESTS_PER_MINUTE = 20  # a burst of 1, then one call every 3.2 s
    CompanyBudget.objects.filter(realm_id=connection.realm_id).delete()
    client = QuickBooksClient(connection, max_wait=0.5)
    client.company_info()
    before = len(sandbox.traffic()["started"][connection.realm_id])
    started = time.monotonic()
    with pytest.raises(QuickBooksError) as waiting:
        client.company_info()
    assert time.monotonic() - started < 0.5
    assert waiting.value.retryable
    assert waiting.value.retry_after is not None
    assert 2.5 < waiting.value.retry_after <= 60 / 19
    assert "request limit for this company" in waiting.value.message
    assert len(sandbox.traffic()["started"][connection.realm_id]) == before


def test_a_429_pauses_the_company_for_its_retry_after_then_the_call_succeeds(
    sandbox: Sandbox, connection: QuickBooksConnection
) -> None:  # SPEC QB-12
    sandbox.control("faults", {"kind": "throttle", "realm": connection.realm_id, "retry_after": 1})
    started = time.monotonic()
    assert QuickBooksClient(connection).company_info()["CompanyName"]
    assert time.monotonic() - started >= 1
    traffic = sandbox.traffic()
    [throttled] = traffic["throttled"][connection.realm_id]
    assert traffic["started"][connection.realm_id][-1] >= throttled + 1
    assert CompanyBudget.objects.get(realm_id=connection.realm_id).throttled_count == 1


def test_a_429_asking_to_wait_longer_than_allowed_gives_back_a_retryable_wait(
    sandbox: Sandbox, connection: QuickBooksConnection
) -> None:  # SPEC QB-12
    sandbox.control("faults", {"kind": "throttle", "realm": connection.realm_id, "retry_after": 30})
    with pytest.raises(QuickBooksError) as throttled:
        QuickBooksClient(connection, max_wait=2).company_info()
    assert throttled.value.retryable
    assert throttled.value.status == 429
    assert throttled.value.retry_after == 30
    # Every process now waits for the company, without asking QuickBooks.
    with pytest.raises(QuickBooksError) as paused:
        QuickBooksClient(connection, max_wait=2).company_info()
    assert paused.value.retry_after is not None
    assert 25 < paused.value.retry_after <= 30


@pytest.fixture
def pauses_seen_at_slot_release() -> Callable[[], list[float]]:
    """The company's paused_until at each moment one of its call slots is given back (a
    trigger on the slot table, so the code under test runs unchanged)."""
    with database.cursor() as cursor:
        cursor.execute("CREATE TABLE slot_release_seen (paused_until double precision)")
        seen = (
            "INSERT INTO slot_release_seen SELECT paused_until FROM quickbooks_companybudget "
            "WHERE realm_id = OLD.realm_id"
        )
        if database.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION slot_released() RETURNS trigger AS $$ BEGIN "
                f"{seen}; RETURN OLD; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER slot_released AFTER DELETE ON quickbooks_callslot "
                "FOR EACH ROW EXECUTE FUNCTION slot_released()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER slot_released AFTER DELETE ON quickbooks_callslot "
                f"BEGIN {seen}; END"
            )

    def seen_so_far() -> list[float]:
        with database.cursor() as cursor:
            cursor.execute("SELECT paused_until FROM slot_release_seen")
            return [row[0] for row in cursor.fetchall()]

    # The test's transaction is rolled back at its end, and the table and trigger with it.
    return seen_so_far


def test_a_429_pauses_the_company_before_its_call_slot_is_given_back(
    sandbox: Sandbox,
    connection: QuickBooksConnection,
    pauses_seen_at_slot_release: Callable[[], list[float]],
) -> None:  # SPEC QB-12
    sandbox.control("faults", {"kind": "throttle", "realm": connection.realm_id, "retry_after": 30})
    asked = time.time()
    with pytest.raises(QuickBooksError):
        QuickBooksClient(connection, max_wait=2).company_info()
    [paused_until] = pauses_seen_at_slot_release()
    # No other process could take the slot between the 429 and the pause.
    assert paused_until >= asked + 30
