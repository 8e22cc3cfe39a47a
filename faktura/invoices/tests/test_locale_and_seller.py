"""The seller and the buyer's locale on invoices: tax ID and locale taken from the settings when
an invoice is created, the logo on page and PDF, amounts and dates written in the invoice's
locale on the buyer page, the PDF, the email and the receipt."""

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from faktura.core.errors import RuleViolation
from faktura.core.locales import format_day
from faktura.history.models import Entry
from faktura.invoices import sending
from faktura.invoices import services as invoices
from faktura.invoices.documents import invoice_pdf, receipt_pdf
from faktura.invoices.invoice_payments import record_invoice_payment

pytestmark = pytest.mark.django_db

NOK_LINE = {"name": "Rådgivning", "unit_price": "1234.50", "quantity": "1"}


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text.replace("\x00", "").replace("\xa0", " ").replace("\u202f", " ")


def png_logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 60), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def norwegian(account):
    account(
        company_name="Fjordverk AS",
        company_tax_id="NO 923 456 789 MVA",
        invoice_locale="nb-NO",
        default_currency="NOK",
    )


# SPEC INV-19
def test_new_invoices_take_tax_id_and_locale_from_the_settings(norwegian, make_invoice, account):
    invoice = make_invoice()
    assert (invoice.tax_id, invoice.locale, invoice.currency) == (
        "NO 923 456 789 MVA",
        "nb-NO",
        "NOK",
    )
    account(company_tax_id="NO 999 999 999 MVA", invoice_locale="en-GB")
    invoice.refresh_from_db()
    assert (invoice.tax_id, invoice.locale) == ("NO 923 456 789 MVA", "nb-NO")  # kept as issued


def test_locale_is_edited_like_any_property_and_logged(draft_invoice, editor):
    invoices.update_invoice(draft_invoice, actor=editor, values={"hs_locale": "fi_fi"})
    draft_invoice.refresh_from_db()
    assert draft_invoice.locale == "fi-FI"
    changes = Entry.objects.for_object("invoice", draft_invoice.pk).filter(property="hs_locale")
    change = changes.latest("id")
    assert (change.old_value, change.new_value) == ("en-US", "fi-FI")


def test_unknown_locale_is_refused_with_the_offered_ones(draft_invoice, editor):
    with pytest.raises(RuleViolation, match="Unknown invoice locale 'xx-YY'.*nb-NO"):
        invoices.update_invoice(draft_invoice, actor=editor, values={"hs_locale": "xx-YY"})
    draft_invoice.refresh_from_db()
    assert draft_invoice.locale == "en-US"


def test_a_clone_keeps_the_locale(draft_invoice, editor):
    invoices.update_invoice(draft_invoice, actor=editor, values={"hs_locale": "de-DE"})
    assert invoices.clone_invoice(draft_invoice, actor=editor).locale == "de-DE"


# SPEC INV-19
def test_pdf_writes_amounts_and_dates_in_the_invoice_locale_with_tax_id_and_logo(
    norwegian, account, make_invoice
):
    account(company_logo=png_logo())
    invoice = make_invoice(finalized=True, lines=[NOK_LINE])
    reader, text = pdf_text(invoice_pdf(invoice)[1])
    assert "1 234,50 kr" in text
    assert format_day(invoice.due_date, "nb-NO") in text  # e.g. "23. des. 2026"
    assert "Tax ID NO 923 456 789 MVA" in text
    assert len(reader.pages[0].images) == 1  # the logo, embedded, not fetched
    assert reader.xmp_metadata is not None
    assert "pdfaid" in reader.xmp_metadata.stream.get_data().decode()  # still PDF/A


# SPEC INV-19
def test_buyer_page_shows_the_invoice_locale_and_the_logo(norwegian, account, make_invoice, client):
    account(company_logo=png_logo())
    invoice = make_invoice(finalized=True, lines=[NOK_LINE])
    html = client.get(f"/i/{invoice.public_token}/").content.decode().replace("\xa0", " ")
    assert "1 234,50 kr" in html
    assert format_day(invoice.invoice_date, "nb-NO") in html
    assert 'alt="Fjordverk AS logo" ' in html
    assert 'src="data:image/png;base64,' in html
    assert "Tax ID NO 923 456 789 MVA" in html


# SPEC INV-28
def test_invoice_email_writes_the_amount_due_in_the_invoice_locale(
    norwegian, account, make_invoice, editor, smtp_server, django_capture_on_commit_callbacks
):
    account(default_from_email="faktura@fjordverk.example")
    invoice = make_invoice(finalized=True, lines=[NOK_LINE])
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_invoice(
            invoice,
            actor=editor,
            to="ada@example.com",
            from_address="faktura@fjordverk.example",
            subject=sending.default_subject(invoice),
            message=sending.default_message(invoice),
        )
    [message] = smtp_server.messages
    text = message.get_body(("plain",)).get_content().replace("\xa0", " ")
    assert "for 1 234,50 kr, due by" in text
    assert f"Due date: {format_day(invoice.due_date, 'nb-NO')}" in text


# SPEC INV-12
def test_receipt_is_written_in_the_locale_of_the_invoice_it_paid(norwegian, make_invoice, editor):
    invoice = make_invoice(finalized=True, lines=[NOK_LINE])
    payment = record_invoice_payment(invoice, actor=editor, amount="1000.00")
    _, text = pdf_text(receipt_pdf(payment)[1])
    assert "1 000,00 kr" in text
    assert "234,50 kr" in text  # the balance due
    assert "Tax ID NO 923 456 789 MVA" in text


def test_new_invoice_form_starts_with_the_settings_tax_id_and_locale(
    norwegian, signed_in, editor_user
):
    page = signed_in(editor_user).get("/invoices/new/").content.decode()
    assert 'value="NO 923 456 789 MVA"' in page
    assert '<option value="nb-NO" selected>Norwegian Bokmål (Norway)</option>' in page
