"""The demo's QuickBooks: `serve` runs qbo_sandbox (a local QuickBooks Online look-alike) as one
of its children and points Faktura at it, so Settings → QuickBooks → Connect goes through a real
OAuth consent page. Faktura never imports qbo_sandbox: it is a separate program, like Intuit."""

from __future__ import annotations

import html
import re
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

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


# A sandbox company the consent page offers: its realm id and its name.
OFFERED_COMPANY = r'name="realm_id" value="([^"]+)"(?: checked)?> ([^<]*) <small>'


class ConsentRefused(Exception):
    """The sandbox's consent page did not send the browser back to Faktura."""


def consent(authorize_url: str, **choice: str) -> dict[str, str]:
    """Open the sandbox's consent page and submit it as a person would; the query parameters of
    its redirect back to Faktura (`code`, `state`, `realmId`, or `error`). `choice`: the form's
    fields (qbo_sandbox/README.md); without `realm_id`, the company named `company_name` is
    picked when the sandbox has one, else a new one is made with that name."""
    with external_call("the QuickBooks sandbox's consent page"):
        page = requests.get(authorize_url, timeout=10)
    page.raise_for_status()
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    offered = re.findall(OFFERED_COMPANY, page.text)
    if "realm_id" not in choice:
        by_name = {html.unescape(name): realm for realm, name in reversed(offered)}
        choice = {"realm_id": by_name.get(choice.get("company_name", ""), "new"), **choice}
    with external_call("the QuickBooks sandbox's consent page"):
        answer = requests.post(
            urlsplit(authorize_url)._replace(query="").geturl(),
            data={**{name: html.unescape(value) for name, value in hidden}, **choice},
            allow_redirects=False,
            timeout=10,
        )
    if answer.status_code != 302:
        raise ConsentRefused(f"the consent page answered {answer.status_code}: {answer.text[:300]}")
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
