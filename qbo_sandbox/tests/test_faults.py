"""Throttling per company and the faults a test injects through the control endpoint."""

import threading
from typing import Any

import pytest
import requests

from qbo_sandbox.tests.conftest import fault_codes


def test_more_than_the_per_minute_limit_is_throttled_with_3001(api):
    api.control("limits", {"per_minute": 3})
    statuses = [api.get("customer/1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = api.get("customer/1")
    assert fault_codes(throttled) == ["3001"]
    assert throttled.json()["Fault"]["type"] == "SERVICE"


def test_more_than_the_concurrent_limit_is_throttled(api):
    api.control("limits", {"concurrent": 2})
    api.control("faults", {"kind": "latency", "seconds": 0.4, "count": 2})
    statuses: list[int] = []
    slow = [
        threading.Thread(target=lambda: statuses.append(api.get("customer/1").status_code))
        for _ in range(2)
    ]
    for thread in slow:
        thread.start()
    # Wait until both slow requests are inside the limit before the third one comes.
    for _ in range(100):
        if (
            requests.get(f"{api.base}/control/traffic", timeout=5).json()["active"].get(api.realm)
            == 2
        ):
            break
        threading.Event().wait(0.01)
    assert api.get("customer/1").status_code == 429
    for thread in slow:
        thread.join()
    assert statuses == [200, 200]


@pytest.mark.parametrize("retry_after", [None, 7])
def test_an_injected_429_burst_with_or_without_retry_after(api, retry_after):
    api.control("faults", {"kind": "throttle", "count": 2, "retry_after": retry_after})
    first, second, third = (api.get("customer/1") for _ in range(3))
    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.headers.get("Retry-After") == (None if retry_after is None else "7")


def test_an_injected_5xx_is_a_system_fault(api):
    api.control("faults", {"kind": "error", "status": 503, "path": "invoice"})
    assert api.get("customer/1").status_code == 200
    failed = api.get("invoice/1")
    assert failed.status_code == 503
    assert fault_codes(failed) == ["10000"]
    assert failed.json()["Fault"]["type"] == "SystemFault"


def test_a_create_whose_connection_drops_after_commit_is_answered_again_by_its_requestid(api):
    api.control("faults", {"kind": "drop", "path": "customer", "method": "POST"})
    with pytest.raises(requests.ConnectionError):
        api.post("customer", {"DisplayName": "Dropped Ltd"}, requestid="r-1")
    retried = api.post("customer", {"DisplayName": "Dropped Ltd"}, requestid="r-1")
    assert retried.status_code == 200
    duplicate = api.post("customer", {"DisplayName": "Dropped Ltd"})
    assert fault_codes(duplicate) == ["6240"]  # created once, by the dropped request


def test_a_stalled_create_is_committed_before_its_late_answer(api):
    api.control("faults", {"kind": "stall", "path": "customer", "method": "POST", "seconds": 1})
    answers: list[requests.Response] = []
    late = threading.Thread(
        target=lambda: answers.append(api.post("customer", {"DisplayName": "Stalled Ltd"}))
    )
    late.start()
    # While the answer waits, the customer is already there for everyone else.
    query = "select * from Customer where DisplayName = 'Stalled Ltd'"
    found: list[Any] = []
    while not found:
        found = api.get("query", query=query).json()["QueryResponse"].get("Customer", [])
    assert late.is_alive()
    late.join()
    assert answers[0].status_code == 200
    assert answers[0].elapsed.total_seconds() >= 1
    [customer] = found
    assert customer["Id"] == answers[0].json()["Customer"]["Id"]


def test_revocation_through_the_control_endpoint(api):
    api.control("tokens/revoke", {"realmId": api.realm})
    refused = api.get("customer/1")
    assert refused.status_code == 401
    assert refused.json()["fault"]["error"][0]["detail"].startswith("Token revoked")


def test_an_unknown_fault_kind_is_refused(api):
    answer = requests.post(f"{api.base}/control/faults", json={"kind": "meteor"}, timeout=5)
    assert answer.status_code == 400


def test_traffic_reports_request_and_429_times_and_token_pairs_per_company(api):
    before = requests.get(f"{api.base}/control/traffic", timeout=5).json()
    api.control("faults", {"kind": "throttle", "retry_after": 2})
    assert api.get("customer/1").status_code == 429
    assert api.get("customer/1").status_code == 200
    traffic = requests.get(f"{api.base}/control/traffic", timeout=5).json()
    started = traffic["started"][api.realm][len(before["started"].get(api.realm, [])) :]
    assert len(started) == 2
    [throttled] = traffic["throttled"][api.realm]
    assert started[0] <= throttled <= started[1]
    # The code exchange made the company's one pair so far; a refresh makes another.
    assert traffic["token_pairs"][api.realm] == before["token_pairs"][api.realm] == 1
