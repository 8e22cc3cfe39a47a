"""What the browser tests of invoice and payment pages share."""

from playwright.sync_api import Locator, Page, expect


def actions(page: Page) -> Locator:
    """Open the page's Actions menu and return it."""
    page.get_by_role("button", name="Actions").click()
    menu = page.get_by_label("Actions", exact=True)
    expect(menu).to_be_visible()
    return menu


def search_in_dialog(page: Page, text: str) -> None:
    """Type into the association dialog's search and wait until htmx has swapped in the
    matches: a click on a result while the swap replaces it can be lost."""
    with page.expect_response(lambda response: "q=" in response.url):
        page.locator("#dialog").get_by_role("searchbox").fill(text)
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
