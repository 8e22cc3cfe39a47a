"""Intuit's OAuth 2 as the sandbox serves it: discovery, consent, token, refresh, revoke."""

import base64

import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes

from qbo_sandbox.oauth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from qbo_sandbox.tests.conftest import REDIRECT_URI, connect, consent, discovery_url


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def test_the_discovery_document_is_shaped_like_intuits(sandbox):
    document = requests.get(discovery_url(sandbox), timeout=5).json()
    for key in (
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ):
        assert document[key].startswith(sandbox.base_url)
    intuit_path = requests.get(
        f"{sandbox.base_url}/.well-known/openid_sandbox_configuration/", timeout=5
    )
    assert intuit_path.json() == document


def test_the_consent_page_offers_existing_companies_and_connects_the_chosen_one(sandbox):
    first = connect(sandbox, company_name="First <Co>")
    page = requests.get(first.get_authorization_url([Scopes.ACCOUNTING]), timeout=5).text
    assert "First &lt;Co&gt;" in page
    again = connect(sandbox, realm_id=first.realm_id)
    assert again.realm_id == first.realm_id
    token = first.access_token
    info = requests.get(
        f"{sandbox.base_url}/v1/openid_connect/userinfo",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert info.json()["email"] == "demo@example.com"


def test_cancel_redirects_with_access_denied(sandbox):
    client = AuthClient(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, REDIRECT_URI, discovery_url(sandbox))
    answer = consent(
        sandbox, client.get_authorization_url([Scopes.ACCOUNTING], "s1"), decision="cancel"
    )
    assert answer == {"error": "access_denied", "state": "s1"}


def test_a_code_works_once_and_only_for_its_client_and_redirect_uri(sandbox):
    client = AuthClient(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, REDIRECT_URI, discovery_url(sandbox))
    code = consent(sandbox, client.get_authorization_url([Scopes.ACCOUNTING], "s"))["code"]
    token_url = f"{sandbox.base_url}/oauth2/v1/tokens/bearer"
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    wrong_secret = requests.post(
        token_url, data=form, headers=basic(DEMO_CLIENT_ID, "x"), timeout=5
    )
    assert (wrong_secret.status_code, wrong_secret.json()) == (401, {"error": "invalid_client"})
    other_uri = requests.post(
        token_url,
        data={**form, "redirect_uri": "http://else/"},
        headers=basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        timeout=5,
    )
    assert other_uri.json()["error"] == "invalid_grant"
    good = requests.post(
        token_url, data=form, headers=basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET), timeout=5
    )
    assert good.status_code == 200
    assert (good.json()["token_type"], good.json()["expires_in"]) == ("bearer", 3600)
    reused = requests.post(
        token_url, data=form, headers=basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET), timeout=5
    )
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")


def test_a_registered_client_must_use_its_redirect_uri(sandbox):
    registered = requests.post(
        f"{sandbox.base_url}/control/clients", json={"redirect_uris": [REDIRECT_URI]}, timeout=5
    ).json()
    client = AuthClient(
        registered["client_id"],
        registered["client_secret"],
        "http://evil/cb",
        discovery_url(sandbox),
    )
    page = requests.get(client.get_authorization_url([Scopes.ACCOUNTING]), timeout=5)
    assert page.status_code == 400
    assert "redirect_uri is not registered" in page.text
    unknown = requests.get(
        f"{sandbox.base_url}/connect/oauth2",
        params={"client_id": "nobody", "redirect_uri": REDIRECT_URI, "response_type": "code"},
        timeout=5,
    )
    assert unknown.status_code == 400


def test_an_access_token_expires_after_an_hour(sandbox, api):
    assert api.get("customer/1").status_code == 200
    api.control("clock", {"advance": 3601})
    expired = api.get("customer/1")
    assert expired.status_code == 401
    assert expired.json()["fault"]["error"][0]["detail"].startswith("Token expired")
