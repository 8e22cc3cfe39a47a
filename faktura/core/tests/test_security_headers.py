"""Hardening headers (issue 13 item 11): a strict Content-Security-Policy with a per-response
nonce on staff and buyer pages, no script or style the policy would block in their HTML, and
HSTS with Secure cookies only when FAKTURA_HTTPS is on."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings

from faktura.core.tests.csp_pages import buyer_path, main_paths

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a strict CSP blocks: scripts without src or the right nonce, event
    handler attributes, style attributes and <style> elements, javascript: URLs, hx-on."""

    def __init__(self, nonce: str) -> None:
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        data = values.get("type") == "application/json"  # not run: no nonce needed
        if tag == "script" and not data and values.get("nonce") != self.nonce:
            self.problems.append(f"<script {values}> without this response's nonce")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=“{value}”>")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=“{value}”>")


def nonce_of(response) -> str:
    policy = response["Content-Security-Policy"]
    found = re.search(r"'nonce-([^']+)'", policy)
    assert found, policy
    return found.group(1)


def assert_strict_policy(response) -> None:
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ):
        assert directive in policy, directive
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    scan = InlineCode(nonce_of(response))
    scan.feed(response.text)
    assert scan.problems == [], response.request["PATH_INFO"]


def test_staff_and_buyer_pages_carry_a_strict_policy_and_nothing_it_blocks(
    client, admin_user, contact, make_invoice
):
    draft, finalized = make_invoice(), make_invoice(finalized=True)
    paths = main_paths(admin_user, contact, draft, finalized)
    assert_strict_policy(client.get("/login/"))
    assert_strict_policy(client.get(buyer_path(finalized)))
    client.force_login(admin_user)
    nonces = set()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict_policy(response)
        nonces.add(nonce_of(response))
    assert len(nonces) == len(paths)  # a new nonce per response


def test_the_usual_hardening_headers_are_set(client):
    response = client.get("/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def settings_with(**env: str) -> dict[str, str]:
    """The settings module as it loads with these environment variables (a fresh process)."""
    names = [
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
    ]
    code = (
        "import config.settings as s\n"
        f"for name in {names!r}: print(name, repr(getattr(s, name, None)))\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FAKTURA_")}
    data_dir = str(django_settings.DATA_DIR)
    output = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "FAKTURA_DATA_DIR": data_dir, "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    ).stdout
    return dict(line.split(" ", 1) for line in output.splitlines())


def test_https_mode_turns_on_hsts_secure_cookies_and_the_redirect():
    embedded = settings_with()
    assert embedded["SECURE_HSTS_SECONDS"] == "None"
    assert embedded["SESSION_COOKIE_SECURE"] == "None"
    https = settings_with(FAKTURA_HTTPS="1")
    assert https["SECURE_HSTS_SECONDS"] == str(365 * 24 * 3600)
    assert https["SECURE_HSTS_INCLUDE_SUBDOMAINS"] == "True"
    assert https["SESSION_COOKIE_SECURE"] == https["CSRF_COOKIE_SECURE"] == "True"
    assert https["SECURE_SSL_REDIRECT"] == "True"
    assert https["SECURE_PROXY_SSL_HEADER"] == "None"  # no proxy: never trust the header
    proxied = settings_with(FAKTURA_HTTPS="1", FAKTURA_TRUSTED_PROXIES="1")
    assert proxied["SECURE_PROXY_SSL_HEADER"] == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_over_https_responses_carry_hsts_and_secure_cookies(client, settings, admin_user):
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.post(
        "/login/", {"username": "admin", "password": "pw-for-tests"}, secure=True
    )
    assert response.status_code == 302
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["csrftoken"]["secure"] is True  # rotated at sign-in


def test_over_plain_http_there_is_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login/")
