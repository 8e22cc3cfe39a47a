"""What the browser tests of index pages share: the filter panel and its rows."""

import re

from playwright.sync_api import Locator, Page, expect


def open_filters(page: Page) -> None:
    """Open the filter panel and wait until its slide-down has ended: rows added during the
    animation sit in a box of fixed height, where a click can miss what it aims at."""
    page.get_by_role("button", name="Filters").click()
    expect(page.locator("#filters")).to_have_class(re.compile(r"\bcollapse\b.*\bshow\b"))


def filter_row(page: Page, index: int) -> Locator:
    return page.locator("[data-filter-row]").nth(index)


def choose(
    page: Page, index: int, label: str, name: str, operator: tuple[str, str] | None = None
) -> None:
    """Pick a filter row's property (and operator); each pick redraws the row over HTMX, and
    the new row listens once htmx has processed it (data-ready)."""
    row = filter_row(page, index)
    expect(row).to_have_attribute("data-ready", "1")
    row.get_by_label("Property").select_option(label=label)
    expect(row).to_have_attribute("data-property", name)
    expect(row).to_have_attribute("data-ready", "1")
    if operator:
        row.get_by_label("Operator").select_option(label=operator[0])
        expect(row).to_have_attribute("data-operator", operator[1])
        expect(row).to_have_attribute("data-ready", "1")
