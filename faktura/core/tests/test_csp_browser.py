"""In Chromium, walking the main staff pages, a dialog, the API docs and the buyer page reports no
Content-Security-Policy violation (issue 13 item 11): every script, style and htmx swap works
under the strict policy."""

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from faktura.core.tests.csp_pages import buyer_path, main_paths

pytestmark = pytest.mark.browser

# Registered before any page script runs; a CSP violation is also logged to the console.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
"""


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def test_main_pages_run_without_csp_violations(
    sign_in, live_server, admin_user, contact, make_invoice
):
    draft, finalized = make_invoice(), make_invoice(finalized=True)
    paths = main_paths(admin_user, contact, draft, finalized)
    page = sign_in(admin_user)
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    page.add_init_script(LISTEN)
    found: dict[str, list[str]] = {}
    for path in [*paths, "/api/docs", buyer_path(finalized)]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        if seen := violations(page):
            found[path] = seen

    # htmx at work: a dialog loads into the shared modal and shows.
    page.goto(f"{live_server.url}/settings/users/")
    page.get_by_role("link", name="Change the role of").first.click()
    expect(page.locator("#dialog")).to_be_visible()
    if seen := violations(page):
        found["role dialog"] = seen

    assert found == {}
    assert console == []
