"""Fixtures: a sandbox server on a free port, and clients connected through its OAuth flow."""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks

from qbo_sandbox.oauth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from qbo_sandbox.server import SandboxServer, serve

REDIRECT_URI = "http://127.0.0.1:9/callback"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    server = serve(port=0, grace_seconds=30)
    yield server
    server.shutdown()
    server.server_close()


def discovery_url(server: SandboxServer) -> str:
    return f"{server.base_url}/.well-known/openid-configuration"


def consent(server: SandboxServer, url: str, **choice: str) -> dict[str, str]:
    """Open the consent page, submit it with `choice`; the redirect's query parameters."""
    page = requests.get(url, timeout=5)
    assert page.status_code == 200, page.text
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    form = {name: html.unescape(value) for name, value in hidden}
    choice = {"realm_id": "new", "company_name": "Test Company", "decision": "connect", **choice}
    answer = requests.post(
        f"{server.base_url}/connect/oauth2",
        data={**form, **choice},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def connect(server: SandboxServer, **choice: str) -> AuthClient:
    """An intuit-oauth client connected through the real flow; its realm_id is the company."""
    # The environment argument of AuthClient may be a discovery URL: no URL override needed.
    client = AuthClient(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, REDIRECT_URI, discovery_url(server))
    redirect = consent(server, client.get_authorization_url([Scopes.ACCOUNTING], "st4te"), **choice)
    assert redirect["state"] == "st4te"
    client.get_bearer_token(redirect["code"], realm_id=redirect["realmId"])
    return client


def quickbooks(server: SandboxServer, client: AuthClient) -> QuickBooks:
    qb = QuickBooks(
        auth_client=client,
        refresh_token=client.refresh_token,
        company_id=client.realm_id,
        minorversion=75,
    )
    # The only override: python-quickbooks' API base URL (an instance attribute).
    qb.api_url_v3 = f"{server.base_url}/v3"
    return qb


@pytest.fixture
def auth(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> AuthClient:
    # requests-oauthlib refuses plain http unless told the transport is trusted (127.0.0.1).
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    return connect(sandbox)


@pytest.fixture
def qb(sandbox: SandboxServer, auth: AuthClient) -> QuickBooks:
    return quickbooks(sandbox, auth)


@dataclass
class Api:
    """Plain HTTP calls to one company's v3 API with a bearer token."""

    base: str
    realm: str
    token: str

    def url(self, rest: str) -> str:
        return f"{self.base}/v3/company/{self.realm}/{rest}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}

    def post(self, rest: str, body: Any, **params: str) -> requests.Response:
        return requests.post(
            self.url(rest),
            json=body,
            headers=self.headers(),
            params={"minorversion": "75", **params},
            timeout=5,
        )

    def get(self, rest: str, **params: str) -> requests.Response:
        return requests.get(
            self.url(rest),
            headers=self.headers(),
            params={"minorversion": "75", **params},
            timeout=5,
        )

    def create(self, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.post(entity.lower(), body)
        assert answer.status_code == 200, answer.text
        return dict(answer.json()[entity])

    def control(self, what: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = requests.post(f"{self.base}/control/{what}", json=body, timeout=5)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@pytest.fixture
def api(sandbox: SandboxServer, auth: AuthClient) -> Api:
    return Api(sandbox.base_url, auth.realm_id, auth.access_token)


def fault_codes(answer: requests.Response) -> list[str]:
    return [error["code"] for error in answer.json()["Fault"]["Error"]]
