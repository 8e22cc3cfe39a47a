"""One-to-one email from a record (INV-27, INV-29, INV-30) through a real SMTP server: inserted
invoice links arrive as links labelled with the number, and no invoice's last sent date moves."""

import pytest

from faktura.emails import composing
from faktura.emails.models import ConnectedInbox, OutboundEmail
from faktura.invoices import invoice_payments
from faktura.invoices.property_values import public_url

pytestmark = pytest.mark.django_db


def compose_url(record, kind):
    return f"/email/{kind}/{record.pk}/"


# SPEC INV-27
# SPEC INV-29
# SPEC INV-30
def test_email_from_a_deal_carries_the_inserted_invoice_link_and_leaves_last_sent_alone(
    signed_in, editor_user, deal, open_invoice, smtp_server, django_capture_on_commit_callbacks
):
    link = composing.link_text(open_invoice.number, f"{public_url(open_invoice)}")
    client = signed_in(editor_user)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            compose_url(deal, "deals"),
            {
                "to": "ada@example.com",
                "cc": "",
                "from_address": "editor@faktura.test",
                "subject": "Your invoice",
                "body": f"Hi Ada <script>x()</script>,\n\nHere it is: {link}\n",
            },
        )
    assert answer.status_code == 302
    [message] = smtp_server.messages
    assert message["From"].endswith("<editor@faktura.test>")
    assert message["Reply-To"] == "editor@faktura.test"
    url = public_url(open_invoice)
    assert f"{open_invoice.number} ({url})" in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f'<a href="{url}">{open_invoice.number}</a>' in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
    open_invoice.refresh_from_db()
    assert open_invoice.last_sent_at is None
    email = OutboundEmail.objects.get()
    assert (email.kind, email.object_type, email.object_id) == ("one_to_one", "deal", deal.pk)
    page = client.get(deal.get_absolute_url()).content.decode()
    assert "Your invoice" in page  # on the deal's timeline


def test_composer_prefills_the_records_people_and_offers_insert_invoice(
    signed_in, editor_user, deal
):
    html = signed_in(editor_user).get(compose_url(deal, "deals")).content.decode()
    assert 'value="ada@example.com"' in html
    assert 'hx-get="/invoices/insert/"' in html


# SPEC INV-30
def test_insert_picker_finds_finalized_invoices_by_number_contact_or_amount(
    signed_in, editor_user, open_invoice, draft_invoice
):
    client = signed_in(editor_user)
    # No domain set: the link is on the address Faktura is served at (the test server).
    link = composing.link_text(
        open_invoice.number, f"http://testserver/i/{open_invoice.public_token}/"
    )
    for text in (open_invoice.number, "ada@example", "Lovelace", "250.00"):
        html = client.get("/invoices/insert/", {"q": text}).content.decode()
        assert f'data-insert-text="{link}"' in html, text
    assert "Draft invoice" not in client.get("/invoices/insert/").content.decode()


# SPEC INV-30
# SPEC DOC-4
def test_insert_picker_shows_the_balance_due_formatted_and_finds_it_and_the_company(
    signed_in, editor_user, make_invoice, company, system
):
    editor_user.locale = "nb-NO"
    editor_user.save(update_fields=["locale"])
    invoice = make_invoice(
        finalized=True,
        companies=[company],
        values={"hs_currency": "NOK"},
        lines=[{"name": "Licence", "unit_price": "8000", "quantity": "1"}],
    )
    invoice_payments.record_invoice_payment(invoice, actor=system, amount="1000")
    client = signed_in(editor_user)
    link = composing.link_text(invoice.number, f"http://testserver/i/{invoice.public_token}/")
    for text in ("7 000", "7000,00", "8 000", "analytical"):
        html = client.get("/invoices/insert/", {"q": text}).content.decode()
        assert f'data-insert-text="{link}"' in html, text
        assert "7\xa0000,00\xa0kr due" in html
        assert "7000.0000" not in html
    assert (
        "No finalized invoice matches"
        in client.get("/invoices/insert/", {"q": "6 999"}).content.decode()
    )


def test_from_must_be_the_users_own_or_a_team_inbox_they_may_use(
    editor, editor_user, contact, smtp_server
):
    team = ConnectedInbox.objects.create(address="sales@nordlys.example")
    team.users.add(editor_user)
    assert composing.from_addresses(editor) == ["editor@faktura.test", "sales@nordlys.example"]
    with pytest.raises(Exception, match="cannot send from 'board@"):
        composing.send_one_to_one(
            contact, actor=editor, to=["a@b.org"], from_address="board@x.org", subject="s",
            body="b",
        )  # fmt: skip


# SPEC INV-29
def test_send_dialog_offers_to_write_manually_on_the_deal_with_the_link(
    signed_in, editor_user, deal, system, account
):
    from faktura.invoices import services

    account(default_from_email="billing@nordlys.example")
    invoice = services.finalize_invoice(
        services.create_invoice_from_deal(deal, actor=system), actor=system
    )
    html = signed_in(editor_user).get(f"/invoices/{invoice.pk}/send/").content.decode()
    assert f"/email/deals/{deal.pk}/?body=" in html
    assert "Write email manually" in html


def test_viewer_cannot_compose(signed_in, viewer_user, contact):
    client = signed_in(viewer_user)
    assert client.get(compose_url(contact, "contacts")).status_code == 403
    assert client.post(compose_url(contact, "contacts"), {}).status_code == 403
    assert "Send email" not in client.get(contact.get_absolute_url()).content.decode()


def test_only_contacts_companies_and_deals_have_a_composer(signed_in, editor_user, product):
    assert signed_in(editor_user).get(compose_url(product, "products")).status_code == 404
