"""qbo_sandbox in its own process for Faktura's tests (faktura imports nothing of it): started
once per test process, each test connecting a company of its own through the real OAuth
consent page, so tests never share QuickBooks data."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from faktura.demo import quickbooks_sandbox

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Sandbox:
    base_url: str
    process: subprocess.Popen[str]

    def settings(self) -> dict[str, Any]:
        """Faktura's QuickBooks settings pointing at this sandbox."""
        return dict(self.environment())

    def environment(self) -> dict[str, str]:
        return quickbooks_sandbox.environment(self.base_url)

    def control(self, what: str, body: dict[str, Any] | None = None) -> Any:
        answer = requests.post(f"{self.base_url}/control/{what}", json=body or {}, timeout=10)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def clear_faults(self) -> None:
        requests.delete(f"{self.base_url}/control/faults", timeout=10).raise_for_status()

    def traffic(self) -> dict[str, Any]:
        answer = requests.get(f"{self.base_url}/control/traffic", timeout=10)
        answer.raise_for_status()
        return dict(answer.json())

    def consent(self, authorize_url: str, **choice: str) -> dict[str, str]:
        """Submit the consent page (a new company unless `realm_id` is given); the query
        parameters of the redirect back to Faktura."""
        default = {"realm_id": "new", "company_name": "Faktura Test Co", "decision": "connect"}
        return quickbooks_sandbox.consent(authorize_url, **(default | choice))


def start_sandbox(*extra: str) -> Sandbox:
    # Its request log goes to a file a failing test can point to.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (the process writes it until stopped)
        "w", prefix="qbo_sandbox-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "qbo_sandbox", "--port", "0", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+)", first)
    if not found:
        process.kill()
        raise RuntimeError(f"qbo_sandbox did not start: {first!r}")
    return Sandbox(found.group(1), process)


def stop_sandbox(sandbox: Sandbox) -> None:
    sandbox.process.terminate()
    try:
        sandbox.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sandbox.process.kill()


def running_sandbox() -> Iterator[Sandbox]:
    sandbox = start_sandbox()
    try:
        yield sandbox
    finally:
        stop_sandbox(sandbox)
