"""Issued invoices are documents (DOC-1): finalizing freezes the seller and the one buyer
(DOC-2) as printed; Settings, contacts and companies changed later never reach them; only an
edit under INV-6 issues them again, and history shows it. Voided invoices owe nothing (DOC-3)."""

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from faktura.crm import services as crm
from faktura.history.queries import property_history
from faktura.invoices import sending
from faktura.invoices import services as invoices
from faktura.invoices.documents import invoice_pdf, receipt_pdf
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.issued import buyer_of, seller_of
from faktura.invoices.models import Invoice, IssuedLogo
from faktura.invoices.properties import BUYER_VISIBLE, INVOICE

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def seller(account):
    account(
        company_name="Nordlys AS",
        company_address="Storgata 1\n0155 Oslo",
        company_tax_id="NO 923 456 789 MVA",
        company_bank_account="IBAN NO93 8601 1117 947",
        payment_instructions="Use the invoice number as the payment reference.",
        company_logo=png((20, 120, 200)),
        allow_editing_finalized_invoices=True,
    )


@pytest.fixture
def billed_company(system, contact):
    company = crm.create_company(
        actor=system,
        name="Fjordverk AS",
        address="Kaiveien 5",
        zip="5003",
        city="Bergen",
        country="Norway",
        hs_tax_id="NO 987 654 321",
    )
    crm.associate_contact_with_company(contact, company, actor=system)
    return company


@pytest.fixture
def issued(seller, make_invoice, billed_company):
    return make_invoice(finalized=True, companies=[billed_company])


def everything_printed(invoice: Invoice, client) -> dict[str, str]:
    invoice = Invoice.objects.get(pk=invoice.pk)
    page = client.get(f"/i/{invoice.public_token}/").content.decode()
    return {
        "pdf": pdf_text(invoice_pdf(invoice)[1]),
        "buyer page": page[page.index("<article") : page.index("</article>")],
        # What the API and exports answer: the properties the buyer sees.
        "properties": str({name: INVOICE.property(name).read(invoice) for name in BUYER_VISIBLE}),
        # The greeting names the person emailed today; the rest is the issued invoice's.
        "email": sending.default_subject(invoice)
        + sending.default_message(invoice).split("\n", 1)[1],
    }


# SPEC DOC-1
# SPEC DOC-2
def test_finalizing_freezes_the_seller_and_the_one_buyer_as_printed(issued):
    assert seller_of(issued).name == "Nordlys AS"
    assert seller_of(issued).bank_account == "IBAN NO93 8601 1117 947"
    assert seller_of(issued).logo.startswith("data:image/png;base64,")
    buyer = buyer_of(issued)
    assert (buyer.name, buyer.contact_name, buyer.email) == (
        "Fjordverk AS",
        "Ada Lovelace",
        "ada@example.com",
    )
    assert buyer.address_lines == ["Kaiveien 5", "5003 Bergen", "Norway"]
    assert buyer.tax_id == "NO 987 654 321"
    text = pdf_text(invoice_pdf(issued)[1])
    for printed in (
        "Nordlys AS",
        "Storgata 1",
        "NO 923 456 789 MVA",
        "Fjordverk AS",
        "Attn. Ada Lovelace",
        "5003 Bergen",
        "IBAN NO93 8601 1117 947",
        "Use the invoice number as the payment reference.",
    ):
        assert printed in text, printed
    # The edit log shows what was issued, with the finalization.
    assert property_history(issued, "buyer_name").get().new_value == "Fjordverk AS"


# SPEC DOC-1
def test_settings_contacts_and_companies_changed_later_leave_an_issued_invoice_as_it_was(
    issued, billed_company, contact, system, account, client, make_invoice
):
    before = everything_printed(issued, client)

    account(
        company_name="Nordlys Consulting Group ASA",
        company_address="Nygata 99\n7010 Trondheim",
        company_bank_account="IBAN NO00 0000 0000 000",
        payment_instructions="Pay by card.",
        company_logo=png((200, 20, 20)),
        company_tax_id="NO 111 111 111 MVA",
    )
    crm.update_contact(contact, actor=system, values={"firstname": "Augusta", "email": "a@x.test"})
    crm.update_company(
        billed_company, actor=system, values={"address": "Nye vei 1", "city": "Stavanger"}
    )

    after = everything_printed(issued, client)
    assert after == before  # byte-identical text in every face
    assert "Nordlys Consulting Group ASA" not in after["pdf"]
    # A new invoice takes the new details.
    fresh = make_invoice(finalized=True, companies=[billed_company])
    text = pdf_text(invoice_pdf(fresh)[1])
    for printed in (
        "Nordlys Consulting Group ASA",
        "Nye vei 1",
        "Augusta Lovelace",
        "Pay by card.",
    ):
        assert printed in text, printed


# SPEC DOC-1
def test_a_draft_prints_the_seller_and_buyer_as_they_are_now(
    seller, make_invoice, account, contact, system
):
    draft = make_invoice()
    account(company_name="Renamed AS")
    crm.update_contact(contact, actor=system, values={"lastname": "King"})
    assert seller_of(draft).name == "Renamed AS"
    assert buyer_of(draft).name == "Ada King"
    assert "Renamed AS" in pdf_text(invoice_pdf(draft)[1])


# SPEC DOC-1
# SPEC INV-6
def test_an_edit_under_inv6_issues_the_invoice_again_and_history_shows_the_change(
    issued, account, editor
):
    account(company_name="Nordlys Consulting Group ASA")
    edit = invoices.update_invoice(issued, actor=editor, values={"hs_comments": "Corrected"})

    assert seller_of(edit.invoice).name == "Nordlys Consulting Group ASA"
    changed = {c.property: (c.old, c.new) for c in edit.changes}
    assert changed["seller_name"] == ("Nordlys AS", "Nordlys Consulting Group ASA")
    entry = property_history(issued, "seller_name").first()
    assert entry is not None
    assert (entry.old_value, entry.new_value) == ("Nordlys AS", "Nordlys Consulting Group ASA")
    assert entry.actor_label == "editor"


# SPEC DOC-1
def test_the_edit_page_says_what_saving_would_issue_anew(issued, account, signed_in, editor_user):
    client = signed_in(editor_user)
    page = client.get(f"/invoices/{issued.pk}/edit/").content.decode()
    assert 'data-testid="reissued"' not in page
    account(company_name="Nordlys Consulting Group ASA", company_bank_account="")
    page = client.get(f"/invoices/{issued.pk}/edit/").content.decode()
    assert "Seller name, Seller bank account changed since it was issued" in page


# SPEC DOC-1
def test_issued_logos_are_stored_once_per_image(seller, make_invoice, account):
    first = make_invoice(finalized=True)
    second = make_invoice(finalized=True)
    assert first.seller_logo_id == second.seller_logo_id
    account(company_logo=b"")
    third = make_invoice(finalized=True)
    assert third.seller_logo is None
    assert IssuedLogo.objects.count() == 1
    assert seller_of(Invoice.objects.get(pk=first.pk)).logo  # the first keeps its logo


# SPEC DOC-1
def test_a_receipt_names_the_seller_of_the_invoice_it_paid(issued, account, system):
    payment = record_invoice_payment(issued, actor=system, amount="10.00")
    account(company_name="Renamed AS")
    text = pdf_text(receipt_pdf(payment)[1])
    assert "Nordlys AS" in text
    assert "Renamed AS" not in text


# SPEC DOC-3
def test_a_voided_invoice_shows_nothing_due(issued, system, signed_in, admin_user):
    invoices.void_invoice(issued, actor=system)
    issued.refresh_from_db()
    assert issued.balance_due == 0
    assert INVOICE.property("hs_balance_due").read(issued) == 0
    assert "Balance due\n$0.00" in pdf_text(invoice_pdf(issued)[1]).replace(" $", "\n$")
    client = signed_in(admin_user)
    page = client.get(f"/invoices/{issued.pk}/").content.decode()
    assert "Balance due 0.00 USD" in page  # the header, in the user's formats
    index = client.get("/invoices/", {"cols": "hs_number,hs_balance_due"}).content.decode()
    assert "0.00 USD" in index
    assert "250.00 USD" not in index


def test_a_custom_due_date_is_read_as_the_due_date_not_as_terms(make_invoice, client):
    issued = make_invoice(finalized=True, values={"hs_due_date": "2027-02-01"})
    assert issued.payment_terms == "custom"
    page = client.get(f"/i/{issued.public_token}/").content.decode()
    assert "Custom due date" not in page
    assert "Feb 1, 2027" in page
    assert "Custom due date" not in pdf_text(invoice_pdf(issued)[1])
