"""The buyer's page at the invoice's public link: readable without a login, one invoice only,
no staff data, kept out of search engines and Referer headers (INV-15, INV-17, INV-31)."""

import pytest

from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import record_invoice_payment

pytestmark = pytest.mark.django_db


def buyer_page(client, invoice):
    return client.get(f"/i/{invoice.public_token}/")


# SPEC INV-15
# SPEC INV-31
def test_buyer_sees_the_invoice_without_logging_in(client, make_invoice, account):
    account(company_name="Fjord Tools AS", company_address="Kaigata 1\n5003 Bergen")
    invoice = make_invoice(finalized=True)

    response = buyer_page(client, invoice)

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        invoice.number,
        "Fjord Tools AS",
        "Kaigata 1",
        "Ada Lovelace",
        "ada@example.com",
        "Consulting hour",
        "$200.00",  # the line amount
        "$50.00",  # taxes
        "$250.00",  # total and balance due
        "Balance due",
    ):
        assert text in html, text
    # The seller is named where the page says whom the invoice is from and whom to ask.
    assert f"<title>Invoice {invoice.number} from Fjord Tools AS" in html
    assert "or contact Fjord Tools AS directly." in html


# SPEC INV-17
def test_buyer_page_is_kept_out_of_search_engines_and_referer_headers(client, open_invoice):
    response = buyer_page(client, open_invoice)

    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex' in response.content.decode()


# SPEC INV-17
def test_buyer_page_shows_no_staff_data_even_to_a_signed_in_user(
    signed_in, admin_user, editor_user, make_invoice, system
):
    invoice = make_invoice(finalized=True, owner=editor_user)
    invoices.assign_invoice_owner(invoice, editor_user, actor=system)
    client = signed_in(admin_user)
    # A staff message waiting to be shown (e.g. after Copy link) stays with the staff pages.
    client.post(f"/invoices/{invoice.pk}/owner/", {"owner": editor_user.pk})

    html = buyer_page(client, invoice).content.decode()

    for staff_only in (
        "editor",  # the owner
        "Edit log",
        "Actions",
        "Properties",
        'aria-label="Main"',  # the staff navigation
        "/invoices/",
        "Log out",
        "Record ID",
        'role="alert"',
    ):
        assert staff_only not in html, staff_only
    assert 'role="alert"' in client.get(invoice.get_absolute_url()).content.decode()


# SPEC INV-17
def test_unknown_draft_and_deleted_invoice_links_are_404(client, make_invoice, account, system):
    account(allow_deleting_invoices=True)
    deleted = make_invoice(finalized=True)
    token = deleted.public_token
    invoices.delete_invoice(deleted, actor=system)

    assert client.get(f"/i/{token}/").status_code == 404
    assert client.get("/i/not-a-real-token/").status_code == 404
    # A draft has no link at all; its (empty) token never matches.
    assert make_invoice().public_token is None


# SPEC INV-31
def test_buyer_sees_clearly_when_the_invoice_is_paid_or_voided(client, make_invoice, system):
    paid = make_invoice(finalized=True)
    record_invoice_payment(paid, actor=system, amount="250.00")
    voided = invoices.void_invoice(make_invoice(finalized=True), actor=system)

    paid_html = buyer_page(client, paid).content.decode()
    assert "This invoice is paid in full" in paid_html
    assert ">Paid<" in paid_html
    voided_html = buyer_page(client, voided).content.decode()
    assert "This invoice was voided" in voided_html
    assert ">Voided<" in voided_html


# SPEC INV-31
def test_buyer_page_offers_the_pdf_download(client, open_invoice):
    html = buyer_page(client, open_invoice).content.decode()
    assert "Download PDF" in html
    assert f'href="/i/{open_invoice.public_token}/pdf/"' in html
