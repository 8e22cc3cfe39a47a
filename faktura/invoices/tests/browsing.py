"""What the browser tests of invoice and payment pages share."""

from playwright.sync_api import Locator, Page, expect


def actions(page: Page) -> Locator:
    """Open the page's Actions menu and return it."""
    page.get_by_role("button", name="Actions").click()
    menu = page.get_by_label("Actions", exact=True)
    expect(menu).to_be_visible()
    return menu
