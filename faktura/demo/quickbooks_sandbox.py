"""The demo's QuickBooks: `serve` runs qbo_sandbox (a local QuickBooks Online look-alike) as one
of its children and points Faktura at it, so Settings → QuickBooks → Connect goes through a real
OAuth consent page. Faktura never imports qbo_sandbox: it is a separate program, like Intuit."""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

from faktura.core.outside import external_call

# The sandbox's documented demo app keys (qbo_sandbox/README.md): accepted with any redirect URI.
DEMO_CLIENT_ID = "ABsandboxDemoClientId0000000000000000000000000000"
DEMO_CLIENT_SECRET = "sandboxDemoClientSecret000000000000000000"


def command(port: int, data: Path) -> list[str]:
    return [sys.executable, "-m", "qbo_sandbox", "--port", str(port), "--data", str(data)]


def environment(base_url: str) -> dict[str, str]:
    """The QUICKBOOKS_* settings of Faktura's web server and worker, pointing at the sandbox."""
    return {
        "QUICKBOOKS_CLIENT_ID": DEMO_CLIENT_ID,
        "QUICKBOOKS_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "QUICKBOOKS_DISCOVERY_URL": f"{base_url}/.well-known/openid-configuration",
        "QUICKBOOKS_API_URL": base_url,
        "QUICKBOOKS_APP_URL": base_url,
    }


def answering(base_url: str) -> Callable[[], bool]:
    """Whether the sandbox serves its discovery document yet."""

    def check() -> bool:
        try:
            url = f"{base_url}/.well-known/openid-configuration"
            with (
                external_call("the QuickBooks sandbox"),
                urllib.request.urlopen(url, timeout=2) as answer,
            ):
                return bool(answer.status == 200)
        except OSError:
            return False

    return check
