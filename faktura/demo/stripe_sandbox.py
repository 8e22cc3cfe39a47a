"""The demo's Stripe: `serve` runs stripe_sandbox (a local look-alike of Stripe's API, hosted
checkout page and webhooks) as one of its children and points Faktura at it. Faktura never
imports stripe_sandbox: it is a separate program, as Stripe is."""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

from faktura.core.outside import external_call

# The sandbox's documented demo account key (stripe_sandbox/README.md), valid in every sandbox.
DEMO_SECRET_KEY = "sk_test_sandboxDemo0000000000000000"
DEMO_PUBLISHABLE_KEY = "pk_test_sandboxDemo0000000000000000"


def command(port: int, data: Path) -> list[str]:
    return [sys.executable, "-m", "stripe_sandbox", "--port", str(port), "--data", str(data)]


def environment(base_url: str) -> dict[str, str]:
    """The STRIPE_* settings of Faktura's web server and worker, pointing at the sandbox."""
    return {"STRIPE_API_BASE": base_url, "STRIPE_SECRET_KEY": DEMO_SECRET_KEY}


def answering(base_url: str) -> Callable[[], bool]:
    """Whether the sandbox answers the API yet (with the demo key)."""

    def check() -> bool:
        request = urllib.request.Request(
            f"{base_url}/v1/account", headers={"Authorization": f"Bearer {DEMO_SECRET_KEY}"}
        )
        try:
            with (
                external_call("the Stripe sandbox"),
                urllib.request.urlopen(request, timeout=2) as answer,
            ):
                return bool(answer.status == 200)
        except OSError:
            return False

    return check
