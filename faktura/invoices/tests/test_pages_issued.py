"""The invoice record page in Chromium: the side panel beside the invoice on desktop widths and
under it on a phone; an issued invoice unchanged by a Settings change (DOC-1); choosing the
billed company in the side panel (DOC-2)."""

import io

import pytest
from playwright.sync_api import FloatRect, Page, expect
from pypdf import PdfReader

from faktura.crm import services as crm
from faktura.invoices.models import Invoice
from faktura.invoices.tests.browsing import search_in_dialog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def box(page: Page, test_id: str) -> FloatRect:
    found = page.get_by_test_id(test_id).bounding_box()
    assert found is not None, test_id
    return found


@pytest.mark.parametrize("width", [1280, 1440, 1920])
def test_side_panel_sits_beside_the_invoice_on_desktop_widths(
    sign_in, live_server, editor_user, open_invoice, system, width
):
    # A long unbroken note once pushed the panel under the invoice on every desktop width.
    crm.create_note(actor=system, object_type="invoice", object_id=open_invoice.pk, body="x" * 400)
    page = sign_in(editor_user)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")

    sheet, panel = box(page, "invoice-sheet"), box(page, "side-panel")
    assert panel["x"] >= sheet["x"] + sheet["width"], (sheet, panel)
    assert abs(panel["y"] - sheet["y"]) < 40, (sheet, panel)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_side_panel_goes_under_the_invoice_on_a_phone(
    sign_in, live_server, editor_user, open_invoice
):
    page = sign_in(editor_user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/invoices/{open_invoice.pk}/")

    sheet, panel = box(page, "invoice-sheet"), box(page, "side-panel")
    assert panel["y"] >= sheet["y"] + sheet["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def pdf_text(page: Page, url: str) -> str:
    response = page.request.get(url)
    assert response.ok
    reader = PdfReader(io.BytesIO(response.body()))
    return "\n".join(p.extract_text() for p in reader.pages).replace("\x00", "")


# SPEC DOC-1
def test_settings_changed_in_the_page_leave_an_issued_invoice_as_it_was(
    sign_in, live_server, admin_user, make_invoice, account
):
    account(company_name="Nordlys AS", company_address="Storgata 1, 0155 Oslo")
    issued = make_invoice(finalized=True)
    page = sign_in(admin_user)
    record = f"{live_server.url}/invoices/{issued.pk}/"
    buyer = f"{live_server.url}/i/{issued.public_token}/"
    pdf = f"{live_server.url}/invoices/{issued.pk}/pdf/"
    page.goto(buyer)
    buyer_before = page.get_by_test_id("invoice-sheet").inner_text()
    pdf_before = pdf_text(page, pdf)

    page.goto(f"{live_server.url}/settings/")
    page.get_by_label("Company name").fill("Nordlys Consulting Group ASA")
    page.get_by_label("Company address").fill("Nygata 99, 7010 Trondheim")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert")).to_contain_text("Settings saved.")

    page.goto(record)
    seller = page.get_by_test_id("seller")
    expect(seller).to_contain_text("Nordlys AS")
    expect(seller).to_contain_text("Storgata 1, 0155 Oslo")
    expect(seller).not_to_contain_text("Trondheim")
    page.goto(buyer)
    assert page.get_by_test_id("invoice-sheet").inner_text() == buyer_before
    assert pdf_text(page, pdf) == pdf_before

    # A new invoice takes the new details.
    fresh = make_invoice()
    page.goto(f"{live_server.url}/invoices/{fresh.pk}/")
    expect(page.get_by_test_id("seller")).to_contain_text("Nordlys Consulting Group ASA")
    expect(page.get_by_test_id("seller")).to_contain_text("Nygata 99, 7010 Trondheim")
    assert "Nordlys Consulting Group ASA" in pdf_text(
        page, f"{live_server.url}/invoices/{fresh.pk}/pdf/"
    )


# SPEC DOC-2
def test_the_billed_company_is_chosen_in_the_side_panel(
    sign_in, live_server, editor_user, draft_invoice, company, system
):
    looms = crm.create_company(actor=system, name="Jacquard Looms", city="Lyon")
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{draft_invoice.pk}/")
    for name in ("Analytical Engines Ltd", "Jacquard Looms"):
        page.get_by_role("link", name="Add company").click()
        dialog = page.locator("#dialog")
        search_in_dialog(page, name.split()[0])
        dialog.get_by_role("button", name=f"Add {name}").click()
        expect(page.get_by_role("alert")).to_contain_text(f"{name} added to the invoice.")

    bill_to = page.get_by_test_id("bill-to")
    expect(bill_to).to_contain_text("Analytical Engines Ltd")  # the oldest, by default
    expect(bill_to).not_to_contain_text("Jacquard Looms")  # one buyer only
    expect(page.get_by_test_id("billed-company")).to_have_count(1)

    page.get_by_role("button", name="Bill Jacquard Looms instead").click()

    expect(page.get_by_role("alert")).to_contain_text("The invoice now bills Jacquard Looms.")
    expect(bill_to).to_contain_text("Jacquard Looms")
    expect(bill_to).to_contain_text("Lyon")
    expect(bill_to).to_contain_text("Attn. Ada Lovelace")
    expect(bill_to).not_to_contain_text("Analytical Engines Ltd")
    assert Invoice.objects.get().billed_company == looms
