"""Sending an invoice by email through a real SMTP server (aiosmtpd): what the buyer receives,
every rule of the Send dialog (INV-28), and the last sent date that follows the server's answer."""

import io

import pytest
from pypdf import PdfReader

from faktura.core.errors import RuleViolation
from faktura.crm.models import Contact
from faktura.emails.models import ConnectedInbox, EmailStatus, OutboundEmail
from faktura.history.models import Entry
from faktura.invoices import sending
from faktura.invoices.models import Invoice

pytestmark = pytest.mark.django_db

DEFAULT_FROM = "billing@nordlys.example"


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """Run the delivery tasks queued inside the block, as the worker would after commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def send(invoice, actor, **fields):
    values = {
        "to": "ada@example.com",
        "from_address": DEFAULT_FROM,
        "subject": f"Invoice {invoice.number}",
        "message": "Hello Ada,\nHere is your invoice.",
    }
    return sending.send_invoice(invoice, actor=actor, **(values | fields))


@pytest.fixture
def default_from(account):
    account(default_from_email=DEFAULT_FROM)


# SPEC INV-18
# SPEC INV-28
def test_buyer_receives_details_link_and_pdf_and_last_sent_date_is_set(
    open_invoice, editor, smtp_server, default_from, delivered
):
    with delivered():
        email = send(open_invoice, editor, cc=["grace@example.com"])

    [message] = smtp_server.messages
    assert message["From"] == f"My Company <{DEFAULT_FROM}>"
    assert message["To"] == "ada@example.com"
    assert message["Cc"] == "grace@example.com"
    assert message["Reply-To"] == DEFAULT_FROM
    link = f"/i/{open_invoice.public_token}/"
    text = message.get_body(("plain",)).get_content()
    assert link in text
    assert "Amount due: $250.00" in text
    assert "Here is your invoice." in text
    assert link in message.get_body(("html",)).get_content()
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == f"{open_invoice.number}.pdf"
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    pdf_text = "".join(page.extract_text() for page in pdf.pages)
    assert open_invoice.number in pdf_text
    assert "250.00" in pdf_text

    email.refresh_from_db()
    open_invoice.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert open_invoice.last_sent_at == email.sent_at
    event = Entry.objects.for_object("invoice", open_invoice.pk).get(
        event_type="invoice.email_sent"
    )
    assert event.actor_user_id == editor.user.pk
    assert event.data["to"] == ["ada@example.com"]
    assert event.data["cc"] == ["grace@example.com"]


# SPEC INV-28
def test_refused_email_leaves_last_sent_date_empty_and_shows_the_reason(
    open_invoice, editor, smtp_server, default_from, delivered, signed_in, editor_user
):
    smtp_server.answer = "550 5.1.1 <ada@example.com>: Recipient address rejected"
    with delivered():
        send(open_invoice, editor)
    open_invoice.refresh_from_db()
    assert open_invoice.last_sent_at is None
    page = signed_in(editor_user).get(open_invoice.get_absolute_url()).content.decode()
    assert "Recipient address rejected" in page
    assert "could not be delivered" in page


# SPEC INV-28
def test_cc_takes_at_most_nine_addresses(open_invoice, editor, default_from, smtp_server):
    nine = [f"copy{n}@example.com" for n in range(9)]
    send(open_invoice, editor, cc=nine)
    with pytest.raises(RuleViolation, match="at most 9 addresses; remove 1 of the 10"):
        send(open_invoice, editor, cc=[*nine, "tenth@example.com"])
    assert OutboundEmail.objects.count() == 1


# SPEC INV-28
def test_new_address_becomes_a_contact_and_a_known_one_does_not(
    open_invoice, editor, default_from, smtp_server
):
    send(open_invoice, editor, to="Ada@Example.com")  # the fixture contact, other case
    assert Contact.objects.filter(email__iexact="ada@example.com").count() == 1
    send(open_invoice, editor, to="accounts@analytical.example")
    assert Contact.objects.filter(email="accounts@analytical.example").exists()


@pytest.mark.parametrize(
    ("to", "cc", "reason"),
    [
        ("ada@", [], "To: 'ada@' is not an email address"),
        ("ada@example.com", ["grace.example.com"], "CC: 'grace.example.com' is not"),
    ],
)
def test_malformed_address_is_refused_and_nothing_is_created(
    open_invoice, editor, default_from, to, cc, reason
):
    contacts = Contact.objects.count()
    with pytest.raises(RuleViolation, match=reason):
        send(open_invoice, editor, to=to, cc=cc)
    assert Contact.objects.count() == contacts
    assert not OutboundEmail.objects.exists()


# SPEC INV-28
def test_with_a_default_and_the_setting_off_only_the_default_may_send(
    open_invoice, editor, editor_user, default_from
):
    editor_user.email = "editor@nordlys.example"
    editor_user.save()
    assert [c.address for c in sending.from_addresses(editor)] == [DEFAULT_FROM]
    with pytest.raises(RuleViolation, match="You cannot send invoices from 'editor@nordlys"):
        send(open_invoice, editor, from_address="editor@nordlys.example")


# SPEC INV-28
def test_with_the_setting_on_own_and_team_addresses_may_send(
    open_invoice, editor, editor_user, account, smtp_server
):
    account(default_from_email=DEFAULT_FROM, allow_personal_from_addresses=True)
    editor_user.email = "editor@nordlys.example"
    editor_user.save()
    team = ConnectedInbox.objects.create(address="sales@nordlys.example", name="Sales team")
    team.users.add(editor_user)
    ConnectedInbox.objects.create(address="board@nordlys.example")  # not the editor's
    assert [c.address for c in sending.from_addresses(editor)] == [
        DEFAULT_FROM,
        "editor@nordlys.example",
        "sales@nordlys.example",
    ]
    email = send(open_invoice, editor, from_address="sales@nordlys.example")
    assert (email.from_address, email.reply_to) == ("sales@nordlys.example",) * 2
    with pytest.raises(RuleViolation, match="cannot send invoices from 'board@"):
        send(open_invoice, editor, from_address="board@nordlys.example")


# SPEC INV-28
def test_without_a_default_the_address_chosen_becomes_the_default(
    open_invoice, editor, editor_user, smtp_server
):
    editor_user.email = "editor@nordlys.example"
    editor_user.save()
    assert [c.address for c in sending.from_addresses(editor)] == ["editor@nordlys.example"]
    send(open_invoice, editor, from_address="editor@nordlys.example")
    assert [c.address for c in sending.from_addresses(editor)] == ["editor@nordlys.example"]
    from faktura.accounts.services import get_account_settings

    assert get_account_settings().default_from_email == "editor@nordlys.example"


def test_without_any_address_the_refusal_says_what_to_set(open_invoice, editor, editor_user):
    editor_user.email = ""
    editor_user.save()
    with pytest.raises(RuleViolation, match="set the default From address in Settings"):
        send(open_invoice, editor, from_address="someone@example.com")


@pytest.mark.parametrize("state", ["draft", "voided"])
def test_drafts_and_voided_invoices_are_not_sent(make_invoice, editor, system, default_from, state):
    from faktura.invoices import services

    invoice = make_invoice(finalized=state == "voided")
    if state == "voided":
        invoice = services.void_invoice(invoice, actor=system)
    with pytest.raises(RuleViolation, match="Finalize the invoice to send it|is voided"):
        send(invoice, editor)
    assert not OutboundEmail.objects.exists()


def test_send_dialog_prefills_the_billing_contact_and_the_from_address(
    signed_in, editor_user, open_invoice, default_from
):
    page = signed_in(editor_user).get(f"/invoices/{open_invoice.pk}/send/").content.decode()
    assert 'value="ada@example.com"' in page
    assert f'<option value="{DEFAULT_FROM}" selected>' in page
    assert f"Invoice {open_invoice.number} from My Company" in page


def test_send_dialog_posts_and_reports_what_happens_next(
    signed_in, editor_user, open_invoice, default_from, smtp_server
):
    answer = signed_in(editor_user).post(
        f"/invoices/{open_invoice.pk}/send/",
        {
            "to": "ada@example.com",
            "cc": "grace@example.com, lin@example.com",
            "from_address": DEFAULT_FROM,
            "subject": "Your invoice",
            "message": "Hello",
        },
    )
    assert answer.status_code == 302
    email = OutboundEmail.objects.get()
    assert email.cc == ["grace@example.com", "lin@example.com"]
    assert Invoice.objects.get().pk == open_invoice.pk


def test_viewer_cannot_open_or_post_the_send_dialog(signed_in, viewer_user, open_invoice):
    client = signed_in(viewer_user)
    assert client.get(f"/invoices/{open_invoice.pk}/send/").status_code == 403
    assert client.post(f"/invoices/{open_invoice.pk}/send/", {}).status_code == 403
    assert not OutboundEmail.objects.exists()


def test_the_pdf_is_rendered_outside_the_invoices_lock(
    open_invoice, editor, default_from, monkeypatch
):
    # A 500-line invoice's render takes seconds: inside the lock it held SQLite's write lock.
    from faktura.core.outside import open_transactions
    from faktura.invoices import documents

    seen, render = [], documents.pdf_from_html

    def watched_render(html):
        seen.append(open_transactions())
        return render(html)

    monkeypatch.setattr(documents, "pdf_from_html", watched_render)
    documents.InvoiceDocument.objects.filter(invoice=open_invoice).delete()  # none stored yet
    send(open_invoice, editor)
    assert seen == [[]]


def test_an_invoice_changed_while_its_pdf_rendered_is_sent_as_it_is_now(
    open_invoice, editor, default_from, smtp_server, delivered
):
    stale = Invoice.objects.get(pk=open_invoice.pk)
    stale.buyer_name = "Name before the change"  # what the caller read; the row says otherwise
    with delivered():
        send(stale, editor)
    [message] = smtp_server.messages
    [attachment] = message.iter_attachments()
    pdf_text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(attachment.get_content())).pages
    )
    assert "Name before the change" not in pdf_text
    assert open_invoice.buyer_name in pdf_text
