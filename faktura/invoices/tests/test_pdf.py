"""Invoice PDFs (INV-19, INV-31): what they show, PDF/A-3b, hostile text that fetches nothing,
long invoices, and the staff and buyer downloads."""

import io
import socket
import threading

import pytest
from pypdf import PdfReader

from faktura.crm import services as crm
from faktura.invoices import services as invoices
from faktura.invoices.documents import invoice_pdf

pytestmark = pytest.mark.django_db


def read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    # Some runs come out as UTF-16 code units; their NULs are not text.
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    return reader, text


# SPEC INV-19
def test_one_page_invoice_shows_seller_buyer_lines_totals_and_link(make_invoice, account):
    account(company_name="Nordlys Consulting Inc.", company_address="100 Market Street")
    open_invoice = make_invoice(finalized=True)
    filename, pdf = invoice_pdf(open_invoice)
    reader, text = read(pdf)
    assert filename == f"{open_invoice.number}.pdf"
    assert len(reader.pages) == 1
    for shown in (
        "Nordlys Consulting Inc.",
        "100 Market Street",
        open_invoice.number,
        "Ada Lovelace",
        "Consulting hour",
        "Balance due",
        "$250.00",
        f"/i/{open_invoice.public_token}/",
    ):
        assert shown in text, shown


# SPEC INV-19
def test_pdf_is_pdf_a_3b(open_invoice):
    reader, _ = read(invoice_pdf(open_invoice)[1])
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in raw or 'pdfaid:part="3"' in raw
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in raw or 'pdfaid:conformance="B"' in raw


# SPEC INV-19
def test_two_hundred_lines_run_over_pages_with_every_line(make_invoice):
    lines = [{"name": f"Item {n:03d}", "unit_price": "10.00", "quantity": "1"} for n in range(200)]
    invoice = make_invoice(finalized=True, lines=lines)
    reader, text = read(invoice_pdf(invoice)[1])
    assert len(reader.pages) >= 4
    assert "Item 000" in text
    assert "Item 199" in text
    assert "$2,000.00" in text
    assert f"Page 1 of {len(reader.pages)}" in text


def test_draft_pdf_is_marked_draft(draft_invoice):
    filename, pdf = invoice_pdf(draft_invoice)
    assert filename == f"draft-invoice-{draft_invoice.pk}.pdf"
    assert "DRAFT" in read(pdf)[1]


@pytest.fixture
def listener():
    """A real socket on 127.0.0.1 that counts connections: nothing may reach it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    hits: list[int] = []
    running = True

    def serve() -> None:
        while running:
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            hits.append(1)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    running = False
    thread.join(timeout=2)
    server.close()


# SPEC INV-19
def test_hostile_text_fetches_nothing_and_still_renders(system, listener):
    port, hits = listener
    url = f"http://127.0.0.1:{port}/x.png"
    contact = crm.create_contact(
        actor=system,
        firstname=f'<img src="{url}">',
        lastname="<script>alert(1)</script>",
        email="mallory@example.com",
    )
    long_word = "Donaudampfschifffahrtsgesellschaftskapitän" * 8
    invoice = invoices.create_draft_invoice(
        actor=system,
        contacts=[contact],
        lines=[
            {"name": f'<link rel="stylesheet" href="{url}">', "unit_price": "1"},
            {"name": long_word, "unit_price": "2"},
            {"name": "שלום عالم — right to left", "unit_price": "3"},
            {"name": "Party 🎉🚀", "unit_price": "4"},
            {"name": '<iframe src="file:///etc/passwd"></iframe>', "unit_price": "5"},
        ],
        values={"hs_comments": f"<style>@import url({url});</style>"},
    )
    invoice = invoices.finalize_invoice(invoice, actor=system)
    reader, text = read(invoice_pdf(invoice)[1])
    assert hits == []
    # Markup is shown as text (wrapped where the line ends), never run or fetched.
    assert "<script>alert(1)</script>" in text.replace("\n", "")
    assert f'<img src="{url}">' in text
    assert "root:" not in text
    assert len(reader.pages) >= 1


# SPEC INV-19
def test_staff_download_for_anyone_who_may_read(signed_in, viewer_user, open_invoice):
    answer = signed_in(viewer_user).get(f"/invoices/{open_invoice.pk}/pdf/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == f'attachment; filename="{open_invoice.number}.pdf"'
    assert answer.content.startswith(b"%PDF-")


# SPEC INV-31
def test_buyer_downloads_the_pdf_without_a_login_and_it_stays_private(client, open_invoice):
    page = client.get(f"/i/{open_invoice.public_token}/").content.decode()
    assert f'href="/i/{open_invoice.public_token}/pdf/"' in page
    answer = client.get(f"/i/{open_invoice.public_token}/pdf/")
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF-")
    assert answer["X-Robots-Tag"] == "noindex, nofollow"
    assert answer["Referrer-Policy"] == "no-referrer"
    assert answer["Cache-Control"] == "private, no-store"


def test_buyer_pdf_of_a_draft_or_unknown_link_is_404(client, draft_invoice, open_invoice):
    assert client.get(f"/i/{open_invoice.public_token}x/pdf/").status_code == 404
    assert client.get("/i/not-a-token/pdf/").status_code == 404
    assert client.get(f"/invoices/{draft_invoice.pk}/pdf/").status_code == 302  # login first


# SPEC INV-19
def test_finalized_pdf_rendered_once_in_the_background_and_reused(
    make_invoice, system, django_capture_on_commit_callbacks, monkeypatch
):
    from faktura.invoices import documents
    from faktura.invoices.models import InvoiceDocument

    draft = make_invoice()
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoices.finalize_invoice(draft, actor=system)
    stored = InvoiceDocument.objects.get(invoice=invoice)
    assert bytes(stored.content).startswith(b"%PDF-")
    assert stored.error == ""

    renders: list[str] = []
    real = documents.pdf_from_html

    def counted(html: str) -> bytes:
        renders.append(html)
        return real(html)

    monkeypatch.setattr(documents, "pdf_from_html", counted)
    assert invoice_pdf(invoice)[1] == bytes(stored.content)
    assert renders == []  # Download and email use the stored PDF


# SPEC INV-19
def test_an_edit_or_a_payment_renders_a_new_pdf(
    open_invoice, system, account, django_capture_on_commit_callbacks
):
    from faktura.invoices.invoice_payments import record_invoice_payment
    from faktura.invoices.models import InvoiceDocument

    account(allow_editing_finalized_invoices=True)
    with django_capture_on_commit_callbacks(execute=True):
        invoices.update_invoice(open_invoice, actor=system, values={"hs_comments": "Thanks!"})
    first = InvoiceDocument.objects.get(invoice=open_invoice)
    assert "Thanks!" in read(bytes(first.content))[1]
    with django_capture_on_commit_callbacks(execute=True):
        record_invoice_payment(open_invoice, actor=system, amount="50.00")
    second = InvoiceDocument.objects.get(invoice=open_invoice)
    assert second.version != first.version
    assert "$200.00" in read(bytes(second.content))[1]  # the new balance due


def test_a_failed_background_render_is_kept_readable_and_download_still_works(
    open_invoice, monkeypatch
):
    from faktura.invoices import documents
    from faktura.invoices.models import InvoiceDocument

    real = documents.pdf_from_html

    def broken(html: str) -> bytes:
        # Stands in for a machine whose fonts are broken, which cannot be made here.
        raise OSError("font cache unavailable")

    monkeypatch.setattr(documents, "pdf_from_html", broken)
    assert documents.render_stored_pdf(open_invoice.pk) == "failed"
    assert InvoiceDocument.objects.get().error == "OSError: font cache unavailable"
    monkeypatch.setattr(documents, "pdf_from_html", real)
    assert invoice_pdf(open_invoice)[1].startswith(b"%PDF-")
    assert InvoiceDocument.objects.get().error == ""
