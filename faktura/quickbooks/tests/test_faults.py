"""Faults across real processes (issue 14): many worker processes calling QuickBooks at once,
through `probe.py`, against the sandbox process and the test's own database
(`tests.processes.shared_database`). Token refresh happens once for all of them (QB-14); a 429
pauses the company for every process while other companies go on, and no company sees more
calls at once than the limit (QB-12)."""

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.core.encryption import decrypt
from faktura.quickbooks import oauth
from faktura.quickbooks.errors import ReconnectNeeded
from faktura.quickbooks.models import QuickBooksConnection
from faktura.quickbooks.tests.conftest import connect
from tests.processes import Processes, shared_database
from tests.qbo import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

# Faktura's limit of calls at once per company in the probe processes: low, to be reached fast.
CONCURRENT = 3
# How late a call that took its slot before the pause was stored may still reach QuickBooks.
IN_FLIGHT_MARGIN = 1.0
GRACE_SECONDS = 120  # the sandbox's default grace period for a replaced refresh token


@pytest.fixture
def processes(transactional_db: None, sandbox: Sandbox, tmp_path: Path) -> Iterator[Processes]:
    with shared_database(tmp_path) as env:
        env |= sandbox.environment() | {
            "QUICKBOOKS_TIMEOUT": "5",
            "QUICKBOOKS_CONCURRENT_REQUESTS": str(CONCURRENT),
        }
        started = Processes(env, tmp_path)
        try:
            yield started
        finally:
            started.stop()


class Probe:
    """`probe.py` forking, per connection, processes that call company_info a number of times
    each; every process starts calling once all of them are ready (`start`)."""

    def __init__(self, processes: Processes, work: dict[int, tuple[int, int]]) -> None:
        self.processes = processes
        self.children = sum(count for count, _ in work.values())
        self.barrier = processes.folder / f"go-{len(processes.started)}"
        self.process = processes.start_python(
            "probe", "-m", "faktura.quickbooks.tests.probe",
            *(f"{pk}:{count}:{calls}" for pk, (count, calls) in work.items()),
            "--barrier", str(self.barrier),
        )  # fmt: skip
        self.log = next(log for _, p, log in processes.started if p is self.process)

    def lines(self) -> list[dict[str, Any]]:
        text = self.log.read_text(errors="replace")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def start(self) -> None:
        self.processes.wait_until(
            lambda: sum("ready" in line for line in self.lines()) == self.children,
            "every probe process to be ready",
        )
        self.barrier.touch()

    def results(self, timeout: float = 30) -> list[dict[str, Any]]:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail(f"The probe ran longer than {timeout} s.\n{self.processes.logs()}")
        assert code == 0, self.processes.logs()
        return [line for line in self.lines() if "ok" in line]


def test_twenty_processes_finding_the_token_expired_refresh_it_once(
    processes: Processes, sandbox: Sandbox, admin: Actor
) -> None:  # SPEC QB-14
    # Faktura knows one company's access token is expired; for the other, each process learns
    # it from QuickBooks' 401. Twenty processes call each company at once.
    knows = connect(sandbox, admin, company_name="Known Expiry Co")
    learns = connect(sandbox, admin, company_name="Told By 401 Co")
    QuickBooksConnection.objects.filter(pk=knows.pk).update(
        access_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    old_refresh = {}
    pairs_before = sandbox.traffic()["token_pairs"]
    for connection in (knows, learns):
        old_refresh[connection.pk] = decrypt(connection.refresh_token)
        sandbox.control("tokens/expire", {"realmId": connection.realm_id})

    probe = Probe(processes, {knows.pk: (20, 1), learns.pk: (20, 1)})
    probe.start()
    results = probe.results()

    assert [r for r in results if not r["ok"]] == []
    for connection in (knows, learns):
        assert len({r["pid"] for r in results if r["connection"] == connection.pk}) == 20
        connection.refresh_from_db()
        assert connection.refresh_count == 1
        realm = connection.realm_id
        assert sandbox.traffic()["token_pairs"][realm] == pairs_before[realm] + 1
        assert decrypt(connection.refresh_token) != old_refresh[connection.pk]
    # A replaced refresh token dies after the grace period; the stored (newest) one lives.
    sandbox.control("clock", {"advance": GRACE_SECONDS + 1})
    with pytest.raises(ReconnectNeeded):
        oauth.refresh(old_refresh[knows.pk])
    assert oauth.refresh(decrypt(knows.refresh_token)).access_token


def test_a_429_pauses_only_its_company_and_calls_at_once_stay_within_the_limit(
    processes: Processes, sandbox: Sandbox, admin: Actor
) -> None:  # SPEC QB-12
    a = connect(sandbox, admin, company_name="Throttled Co")
    b = connect(sandbox, admin, company_name="Unthrottled Co")
    retry_after = 2
    # Company A's first call gets a 429; its later ones are slow, so they overlap.
    sandbox.control(
        "faults", {"kind": "throttle", "count": 1, "realm": a.realm_id, "retry_after": retry_after}
    )
    sandbox.control(
        "faults", {"kind": "latency", "count": 100, "realm": a.realm_id, "seconds": 0.2}
    )
    sandbox.control(
        "faults", {"kind": "latency", "count": 100, "realm": b.realm_id, "seconds": 0.1}
    )

    before = sandbox.traffic()["started"]
    probe = Probe(processes, {a.pk: (5, 3), b.pk: (2, 15)})
    probe.start()
    results = probe.results()

    assert [r for r in results if not r["ok"]] == []
    assert len(results) == 5 * 3 + 2 * 15
    traffic = sandbox.traffic()
    [throttled] = traffic["throttled"][a.realm_id]
    started_a = traffic["started"][a.realm_id][len(before[a.realm_id]) :]
    # Only calls that already held their slot when the 429 came went on; then nothing until
    # Retry-After had passed.
    early = [t for t in started_a if throttled < t < throttled + retry_after]
    assert all(t < throttled + IN_FLIGHT_MARGIN for t in early), (throttled, started_a)
    assert len(early) < CONCURRENT
    assert len(started_a) == 5 * 3 + 1  # the 429 and each call once
    # Company B was served all the while.
    assert any(throttled < t < throttled + retry_after for t in traffic["started"][b.realm_id])
    assert 2 <= traffic["peak"][a.realm_id] <= CONCURRENT
    assert traffic["peak"][b.realm_id] <= CONCURRENT
