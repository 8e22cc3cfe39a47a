"""Index pages in Chromium: filter with AND/OR and save the view, edit columns, tick rows and
export them, sort, page through and search — as a user does it."""

import csv
import io

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from playwright.sync_api import expect

from faktura.core.actors import Actor
from faktura.crm import services as crm
from faktura.invoices import invoice_payments
from faktura.invoices import services as invoices
from faktura.listings.models import SavedView
from faktura.listings.tests.browsing import choose, filter_row, open_filters

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def four_invoices(contact):
    """Open 250, paid 250, draft 100, open 1,000 (all USD)."""
    system = Actor.system("tests")

    def make(price, finalized=True):
        line = {"name": "Work", "unit_price": price, "quantity": "1"}
        invoice = invoices.create_draft_invoice(actor=system, contacts=[contact], lines=[line])
        return invoices.finalize_invoice(invoice, actor=system) if finalized else invoice

    small = make("250")
    paid = make("250")
    invoice_payments.record_invoice_payment(paid, actor=system, amount="250")
    draft = make("100", finalized=False)
    big = make("1000")
    return {"small": small, "paid": paid, "draft": draft, "big": big}


def row_names(page):
    return page.locator("table.table-index tbody tr td:nth-child(2)").all_inner_texts()


def test_filter_with_and_or_then_save_and_reopen_the_view(
    sign_in, live_server, editor_user, four_invoices
):  # SPEC INV-24
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/")
    expect(page.locator("table.table-index tbody tr")).to_have_count(4)

    open_filters(page)
    first_group = page.locator("[data-filter-group]").first
    # Group 1: status is Open AND total is greater than 500.
    first_group.get_by_role("button", name="Add filter").click()
    choose(page, 0, "Invoice status", "hs_invoice_status")
    filter_row(page, 0).get_by_label("Open", exact=True).check()
    first_group.get_by_role("button", name="Add filter").click()
    choose(page, 1, "Total", "hs_amount_billed", operator=("is greater than", "gt"))
    filter_row(page, 1).get_by_label("Value").fill("500")
    # OR group 2: status is Draft.
    page.get_by_role("button", name="Add OR group").click()
    choose(page, 2, "Invoice status", "hs_invoice_status")
    filter_row(page, 2).get_by_label("Draft").check()
    page.get_by_role("button", name="Apply filters").click()

    big, draft = four_invoices["big"], four_invoices["draft"]
    expect(page.locator("table.table-index tbody tr")).to_have_count(2)
    assert sorted(row_names(page)) == sorted([big.number, f"Draft invoice {draft.pk}"])
    expect(page.get_by_test_id("filter-summary")).to_have_text(
        "Showing invoices where (Invoice status is any of Open and Total is greater than 500) "
        "or (Invoice status is any of Draft)"
    )
    assert "f=0%3Ahs_invoice_status%3Aany_of%3Aopen" in page.url  # bookmarkable

    # Save it as a shared view: it becomes a tab.
    page.get_by_role("button", name="Save view").click()
    dialog = page.locator("#dialog")
    dialog.get_by_label("View name").fill("   ")
    dialog.get_by_role("button", name="Save view").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Give the view a name")
    dialog.get_by_label("View name").fill("Big open or draft")
    dialog.get_by_label("Share with the team").check()
    dialog.get_by_role("button", name="Save view").click()
    expect(page.get_by_role("alert")).to_contain_text("View 'Big open or draft' saved.")
    views = page.get_by_role("navigation", name="Views")
    expect(views.get_by_role("link", name="Big open or draft")).to_have_attribute(
        "aria-current", "page"
    )
    view = SavedView.objects.get()
    assert (view.name, view.shared, len(view.filters)) == ("Big open or draft", True, 2)

    views.get_by_role("link", name="All invoices").click()
    expect(page.locator("table.table-index tbody tr")).to_have_count(4)
    views.get_by_role("link", name="Big open or draft").click()
    expect(page.locator("table.table-index tbody tr")).to_have_count(2)
    expect(page).to_have_url(f"{live_server.url}/invoices/?view={view.pk}")

    # Remove a filter, save the change into the view.
    page.locator("[data-filter-row]").nth(1).get_by_role("button", name="Remove filter").click()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table.table-index tbody tr")).to_have_count(4 - 1)  # not the paid one
    page.get_by_role("button", name="Save changes to view").click()
    expect(page.get_by_role("alert")).to_contain_text("View 'Big open or draft' updated.")
    view.refresh_from_db()
    assert [len(group) for group in view.filters] == [1, 1]


def test_owner_renames_and_deletes_a_view(sign_in, live_server, editor_user):  # SPEC INV-24
    view = SavedView.objects.create(
        object_type="invoices", name="Mine", owner=editor_user, columns=["hs_number"]
    )
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/?view={view.pk}")
    page.get_by_role("button", name="Rename or share").click()
    dialog = page.locator("#dialog")
    dialog.get_by_label("View name").fill("Renamed")
    dialog.get_by_label("Share with the team").check()
    dialog.get_by_role("button", name="Save").click()
    views = page.get_by_role("navigation", name="Views")
    expect(views.get_by_role("link", name="Renamed")).to_have_attribute("aria-current", "page")
    page.get_by_role("button", name="Delete view").click()
    expect(dialog).to_contain_text("It is shared, so it disappears for the whole team.")
    dialog.get_by_role("button", name="Delete view").click()
    expect(page.get_by_role("alert")).to_contain_text("View 'Renamed' deleted.")
    expect(views.get_by_role("link")).to_have_text(["All invoices"])
    assert not SavedView.objects.exists()


def test_bad_filter_value_is_explained_on_the_page(
    sign_in, live_server, editor_user, four_invoices
):  # SPEC INV-24
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/")
    open_filters(page)
    page.get_by_role("button", name="Add filter").click()
    choose(page, 0, "Purchase order number", "hs_purchase_order_number")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a value to compare with.")


def test_edit_columns_add_and_reorder(sign_in, live_server, viewer_user, four_invoices):
    # SPEC INV-25
    page = sign_in(viewer_user)
    page.goto(f"{live_server.url}/invoices/")
    page.get_by_role("button", name="Edit columns").click()
    dialog = page.locator("#dialog")
    expect(dialog.get_by_role("heading", name="Edit columns")).to_be_visible()
    dialog.get_by_label("Contacts", exact=True).uncheck()
    dialog.get_by_label("Currency", exact=True).check()
    for _ in range(7):  # from just below the chosen columns to second place
        dialog.get_by_role("button", name="Move Currency up").click()
    dialog.get_by_role("button", name="Move Due date up").click()
    dialog.get_by_role("button", name="Apply columns").click()

    headers = page.locator("table.table-index thead th")
    expect(headers).to_have_text(
        [
            "",
            "Invoice number",
            "Currency",
            "Invoice status",
            "Payment status",
            "Total",
            "Balance due",
            "Due date",
            "Invoice date",
        ]
    )
    big = four_invoices["big"]
    expect(page.get_by_role("row", name=big.number)).to_contain_text("USD")
    assert "cols=hs_number%2Chs_currency" in page.url


def test_tick_rows_and_export_them_as_csv_csv_for_excel_and_xlsx(
    sign_in, live_server, editor_user, four_invoices
):  # SPEC INV-26
    editor_user.locale = "nb-NO"
    editor_user.save(update_fields=["locale"])
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/?cols=hs_number,hs_amount_billed,hs_invoice_status")
    small, big = four_invoices["small"], four_invoices["big"]

    page.get_by_label("Select all rows on this page").check()
    expect(page.get_by_text("4 selected")).to_be_visible()
    page.get_by_label("Select all rows on this page").uncheck()
    page.get_by_label(f"Select {small.number}").check()
    page.get_by_label(f"Select {big.number}").check()
    expect(page.get_by_text("2 selected")).to_be_visible()

    def export(file_format):
        page.get_by_role("button", name="Export").click()
        dialog = page.locator("#dialog")
        expect(dialog.get_by_label("Only the 2 ticked rows")).to_be_checked()
        expect(dialog.get_by_label("All 4 rows of this view")).to_be_visible()
        dialog.get_by_label(file_format, exact=True).check()
        dialog.get_by_role("button", name="Start export").click()
        expect(page.get_by_test_id("export-status")).to_contain_text("Ready: 2 rows exported.")
        with page.expect_download() as info:
            page.get_by_role("link", name="Download").click()
        return info.value

    def tick_again():
        page.go_back()
        page.reload()
        page.get_by_label(f"Select {small.number}").check()
        page.get_by_label(f"Select {big.number}").check()

    download = export("CSV")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Invoice number", "Total", "Currency", "Invoice status"]
    assert sorted(rows[1:]) == sorted(
        [[small.number, "250", "USD", "Open"], [big.number, "1000", "USD", "Open"]]
    )

    tick_again()
    download = export("CSV for Excel")  # the editor reads Norwegian: semicolons, decimal commas
    with open(download.path(), "rb") as binary:
        data = binary.read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Invoice number", "Total", "Currency", "Invoice status"]
    assert sorted(rows[1:]) == sorted(
        [[small.number, "250,00", "USD", "Open"], [big.number, "1000,00", "USD", "Open"]]
    )

    tick_again()
    download = export("Excel (XLSX)")
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as binary:
        sheet = load_workbook(io.BytesIO(binary.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Invoice number", "Total", "Currency", "Invoice status")
    assert sorted(rows[1:]) == sorted(
        [(small.number, 250, "USD", "Open"), (big.number, 1000, "USD", "Open")]
    )


def test_sort_by_clicking_a_column_header(sign_in, live_server, viewer_user, four_invoices):
    # SPEC INV-24
    page = sign_in(viewer_user)
    page.goto(f"{live_server.url}/invoices/?cols=hs_number,hs_amount_billed")
    page.get_by_role("link", name="Total").click()
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Total")
    totals = page.locator("table.table-index tbody td:nth-child(3)")
    expect(totals).to_have_text(["100.00 USD", "250.00 USD", "250.00 USD", "1,000.00 USD"])
    page.get_by_role("link", name="Total").click()
    expect(page.locator("th[aria-sort=descending]")).to_have_text("Total")
    expect(totals).to_have_text(["1,000.00 USD", "250.00 USD", "250.00 USD", "100.00 USD"])


def test_page_through_and_search(sign_in, live_server, viewer_user):  # SPEC INV-24
    system = Actor.system("tests")
    for name in ("Ada", "Bea", "Cai", "Dan", "Eve"):
        crm.create_contact(actor=system, firstname=name, lastname=f"{name}son")
    page = sign_in(viewer_user)
    page.goto(f"{live_server.url}/contacts/?size=2&sort=firstname")
    first_names = page.locator("table.table-index tbody td:nth-child(2)")
    expect(first_names).to_have_text(["Ada", "Bea"])
    expect(page.get_by_test_id("row-count")).to_have_text("5 contacts")
    page.get_by_role("link", name="Next").click()
    expect(first_names).to_have_text(["Cai", "Dan"])
    page.get_by_role("link", name="Next").click()
    expect(first_names).to_have_text(["Eve"])
    expect(page.get_by_text("Next")).to_have_attribute("aria-disabled", "true")
    page.get_by_role("link", name="Previous").click()
    expect(first_names).to_have_text(["Cai", "Dan"])
    page.get_by_role("link", name="Previous").click()
    expect(first_names).to_have_text(["Ada", "Bea"])

    page.get_by_label("Search contacts").fill("EVES")
    page.get_by_label("Search contacts").press("Enter")
    expect(first_names).to_have_text(["Eve"])
    expect(page.get_by_test_id("row-count")).to_have_text("1 contact")


def test_quick_search_finds_invoices_by_contact_company_and_amount(
    sign_in, live_server, viewer_user, four_invoices, system, grace
):  # SPEC DOC-4
    viewer_user.locale = "nb-NO"
    viewer_user.save(update_fields=["locale"])
    company = crm.create_company(actor=system, name="Compilers AS")
    line = {"name": "Compiler", "unit_price": "1000.50", "quantity": "1"}
    hopper = invoices.finalize_invoice(
        invoices.create_draft_invoice(
            actor=system, contacts=[grace], companies=[company], lines=[line]
        ),
        actor=system,
    )
    page = sign_in(viewer_user)
    page.goto(f"{live_server.url}/invoices/")
    numbers = page.locator("table.table-index tbody td:nth-child(2)")
    expect(numbers).to_have_count(5)

    def search(text):
        page.get_by_label("Search invoices").fill(text)
        page.get_by_label("Search invoices").press("Enter")

    search("Grace Hopper")
    expect(numbers).to_have_text([hopper.number])
    search("compilers")
    expect(numbers).to_have_text([hopper.number])
    search("1 000,50")  # as a Norwegian types the total
    expect(numbers).to_have_text([hopper.number])
    expect(page.get_by_test_id("row-count")).to_have_text("1 invoice")
    search("Ada Lovelace")
    expect(numbers).to_have_count(4)


def test_index_page_works_at_phone_width(sign_in, live_server, viewer_user, four_invoices):
    page = sign_in(viewer_user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/invoices/")
    expect(page.get_by_role("button", name="Filters")).to_be_visible()
    expect(page.get_by_label("Search invoices")).to_be_visible()
    link = page.get_by_role("link", name=four_invoices["big"].number)
    link.click()
    expect(page).to_have_url(f"{live_server.url}{four_invoices['big'].get_absolute_url()}")
