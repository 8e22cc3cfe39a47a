"""Creating and editing invoices through the forms: new drafts, drafts from deals and quotes,
edits of drafts and finalized invoices with the refusals of INV-6…INV-10, and INV-7's message."""

import datetime as dt
from decimal import Decimal

import pytest

from faktura.core.actors import Actor
from faktura.emails.models import OutboundEmail
from faktura.invoices import checkout
from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import CheckoutStatus, Invoice

pytestmark = pytest.mark.django_db

DETAILS = {
    "currency": "USD",
    "invoice_date": "2026-01-10",
    "payment_terms": "net_30",
    "due_date": "",
    "purchase_order_number": "",
    "tax_id": "",
    "comments": "",
    "footer": "",
}
LINE = {
    "product": "",
    "name": "",
    "quantity": "1",
    "unit_price": "",
    "discount_value": "",
    "discount_type": "percent",
    "tax_rate": "",
    "sku": "",
    "description": "",
}


def form_data(lines: list[dict], stored: int = 0, **details) -> dict:
    """The POST of the invoice form: details plus the line formset."""
    data = {**DETAILS, **details}
    data |= {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(stored),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        data |= {f"lines-{index}-{key}": value for key, value in {**LINE, **line}.items()}
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# SPEC INV-4
def test_new_invoice_creates_a_draft_with_contact_company_terms_and_lines(
    signed_in, editor_user, contact, company, product
):
    data = form_data(
        [
            {"name": "Setup", "quantity": "2", "unit_price": "50", "discount_value": "10"},
            {"product": str(product.pk)},  # name, price and tax from the product
            {"name": "Rebate", "unit_price": "40", "discount_value": "5", "discount_type": "fixed"},
        ],
        contact=contact.pk,
        company=company.pk,
        payment_terms="net_15",
        purchase_order_number="PO-77",
        comments="Thank you!",
    )

    response = signed_in(editor_user).post("/invoices/new/", data)

    invoice = Invoice.objects.get()
    assert response["Location"] == f"/invoices/{invoice.pk}/"
    assert (invoice.status, invoice.currency, invoice.owner) == ("draft", "USD", editor_user)
    assert list(invoice.contacts.all()) == [contact]
    assert list(invoice.companies.all()) == [company]
    assert invoice.due_date == dt.date(2026, 1, 25)
    assert (invoice.purchase_order_number, invoice.comments) == ("PO-77", "Thank you!")
    lines = [(line.name, line.unit_price, line.tax_rate) for line in invoice.lines.all()]
    assert lines == [
        ("Setup", Decimal(50), Decimal(0)),
        ("Support plan", Decimal(80), Decimal(10)),
        ("Rebate", Decimal(40), Decimal(0)),
    ]
    # 100 − 10 % + 80 + 10 % tax + 40 − 5 = 90 + 88 + 35
    assert invoice.total == Decimal("213.00")


def test_new_invoice_form_shows_field_errors_and_creates_nothing(signed_in, editor_user):
    response = signed_in(editor_user).post(
        "/invoices/new/", form_data([{"name": "A", "unit_price": "1"}], payment_terms="custom")
    )
    assert response.status_code == 400
    assert "Choose a due date for custom payment terms." in response.content.decode()
    assert not Invoice.objects.exists()


def test_new_invoice_shows_the_services_refusal_as_a_sentence(signed_in, editor_user):
    data = form_data(
        [{"name": "Gift", "unit_price": "10", "discount_value": "50", "discount_type": "fixed"}]
    )
    response = signed_in(editor_user).post("/invoices/new/", data)
    assert response.status_code == 400
    assert "The discount 50.00 is larger than the line amount 10.00" in response.content.decode()
    assert not Invoice.objects.exists()


def test_add_line_without_javascript_shows_one_more_row(signed_in, editor_user):
    data = form_data([{"name": "A", "unit_price": "1"}]) | {"add_line": "1"}
    html = signed_in(editor_user).post("/invoices/new/", data).content.decode()
    assert 'name="lines-TOTAL_FORMS" value="2"' in html
    assert 'name="lines-1-name"' in html
    assert not Invoice.objects.exists()


def test_draft_created_from_a_deal_with_its_contacts_companies_and_lines(
    signed_in, editor_user, deal, contact, company
):
    response = signed_in(editor_user).post(f"/invoices/from-deal/{deal.pk}/")

    invoice = Invoice.objects.get()
    assert response["Location"] == f"/invoices/{invoice.pk}/"
    assert messages_of(response) == ["Draft invoice created from the deal Difference engine."]
    assert (invoice.deal, list(invoice.contacts.all()), list(invoice.companies.all())) == (
        deal,
        [contact],
        [company],
    )
    assert [line.name for line in invoice.lines.all()] == ["Gear set", "Assembly"]


def test_draft_created_from_a_quote_links_the_quote_and_its_deal(
    signed_in, editor_user, quote, deal
):
    response = signed_in(editor_user).post(f"/invoices/from-quote/{quote.pk}/")

    invoice = Invoice.objects.get()
    assert response["Location"] == f"/invoices/{invoice.pk}/"
    assert (invoice.quote, invoice.deal) == (quote, deal)
    assert invoice.lines.count() == 2


# SPEC INV-4
def test_draft_edited_lines_changed_removed_and_added(signed_in, editor_user, make_invoice):
    draft = make_invoice(
        lines=[
            {"name": "Keep", "unit_price": "10"},
            {"name": "Drop", "unit_price": "20"},
        ]
    )
    client = signed_in(editor_user)
    form = client.get(f"/invoices/{draft.pk}/edit/").content.decode()
    assert 'value="Keep"' in form
    assert 'value="Drop"' in form

    data = form_data(
        [
            {"name": "Keep", "unit_price": "10", "quantity": "3"},
            {"name": "Drop", "unit_price": "20", "DELETE": "on"},
            {"name": "New", "unit_price": "5"},
        ],
        stored=2,
        purchase_order_number="PO-1",
        invoice_date=str(draft.invoice_date),
        due_date=str(draft.due_date),
    )
    response = client.post(f"/invoices/{draft.pk}/edit/", data)

    assert response["Location"] == f"/invoices/{draft.pk}/"
    assert messages_of(response) == ["Invoice saved."]
    draft.refresh_from_db()
    assert [(line.name, line.quantity) for line in draft.lines.all()] == [
        ("Keep", Decimal(3)),
        ("New", Decimal(1)),
    ]
    assert (draft.total, draft.purchase_order_number) == (Decimal("35.00"), "PO-1")


def test_a_due_date_of_the_users_own_makes_the_terms_custom(signed_in, editor_user, draft_invoice):
    data = form_data(
        [{"name": "Consulting hour", "unit_price": "100", "quantity": "2", "tax_rate": "25"}],
        stored=1,
        invoice_date="2026-01-10",
        due_date="2026-03-01",
    )
    signed_in(editor_user).post(f"/invoices/{draft_invoice.pk}/edit/", data)

    draft_invoice.refresh_from_db()
    assert (draft_invoice.payment_terms, draft_invoice.due_date) == ("custom", dt.date(2026, 3, 1))


@pytest.mark.parametrize(
    ("situation", "reason"),
    [
        ("setting_off", "Editing finalized invoices is turned off."),  # SPEC INV-6
        ("payment", "has 1 payment on it and cannot be edited"),  # SPEC INV-8
        ("subscription", "created by a subscription and cannot be edited"),  # SPEC INV-10
        ("voided", "is voided and cannot be edited"),
    ],
)
# SPEC INV-6
# SPEC INV-8
# SPEC INV-10
def test_edit_url_refuses_with_the_reason_and_changes_nothing(
    signed_in, editor_user, make_invoice, account, system, situation, reason
):
    if situation != "setting_off":
        account(allow_editing_finalized_invoices=True)
    invoice = make_invoice(finalized=True, from_subscription=situation == "subscription")
    if situation == "payment":
        record_invoice_payment(invoice, actor=system, amount="10.00")
    if situation == "voided":
        invoices.void_invoice(invoice, actor=system)
    client = signed_in(editor_user)

    for response in (
        client.get(f"/invoices/{invoice.pk}/edit/"),
        client.post(f"/invoices/{invoice.pk}/edit/", form_data([{"name": "X", "unit_price": "1"}])),
    ):
        assert response.status_code == 302
        assert response["Location"] == f"/invoices/{invoice.pk}/"
        assert reason in messages_of(response)[0]
    assert [line.name for line in invoice.lines.all()] == ["Consulting hour"]


def finalized_edit(invoice, **details) -> dict:
    return form_data(
        [{"name": "Consulting hour", "unit_price": "120", "quantity": "2", "tax_rate": "25"}],
        stored=1,
        invoice_date=str(invoice.invoice_date),
        due_date=str(invoice.due_date),
        **details,
    )


# SPEC INV-7
def test_edit_of_a_finalized_invoice_is_sent_to_the_customer_from_the_send_dialog(
    signed_in, editor_user, open_invoice, editing_on, account
):
    # SPEC INV-7
    account(default_from_email="billing@faktura.test")
    client = signed_in(editor_user)
    form = client.get(f"/invoices/{open_invoice.pk}/edit/").content.decode()
    assert "Invoice INV-1 is finalized." in form

    response = client.post(f"/invoices/{open_invoice.pk}/edit/", finalized_edit(open_invoice))

    assert "/changed/" in response["Location"]
    entry_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    html = client.get(response["Location"]).content.decode()
    assert "Invoice INV-1 was updated: let the customer know" in html
    assert "$250.00" in html
    assert "$300.00" in html
    send = f"/invoices/{open_invoice.pk}/send/?edit={entry_id}"
    assert f'href="{send}"' in html
    assert "comes with invoice documents" not in html

    dialog = client.get(send).content.decode()
    assert "Updated invoice INV-1 from My Company" in dialog  # the subject
    assert "We have updated invoice INV-1." in dialog
    assert "The amount due is now $300.00" in dialog
    assert 'value="ada@example.com"' in dialog

    sent = client.post(
        f"/invoices/{open_invoice.pk}/send/",
        {
            "to": "ada@example.com",
            "from_address": "billing@faktura.test",
            "subject": "Updated invoice INV-1 from My Company",
            "message": "We have updated invoice INV-1. The total is now $300.00.",
        },
    )
    assert sent.status_code == 302
    email = OutboundEmail.objects.get()
    assert email.subject == "Updated invoice INV-1 from My Company"
    assert "The total is now $300.00." in email.text_body
    assert email.attachments.get().filename == "INV-1.pdf"


def test_customer_message_of_another_invoice_or_event_is_404(
    signed_in, editor_user, open_invoice, make_invoice, editing_on
):
    client = signed_in(editor_user)
    response = client.post(f"/invoices/{open_invoice.pk}/edit/", finalized_edit(open_invoice))
    entry_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    other = make_invoice(finalized=True)
    assert client.get(f"/invoices/{other.pk}/changed/{entry_id}/").status_code == 404
    assert client.get(f"/invoices/{open_invoice.pk}/changed/1/").status_code == 404


def test_saving_a_finalized_invoice_unchanged_says_nothing_changed(
    signed_in, editor_user, open_invoice, editing_on
):
    data = finalized_edit(open_invoice) | {"lines-0-unit_price": "100"}
    response = signed_in(editor_user).post(f"/invoices/{open_invoice.pk}/edit/", data)
    assert response["Location"] == f"/invoices/{open_invoice.pk}/"
    assert messages_of(response) == ["Nothing changed on the invoice."]


def test_currency_of_a_finalized_invoice_is_not_changed_by_the_form(
    signed_in, editor_user, open_invoice, editing_on
):
    signed_in(editor_user).post(
        f"/invoices/{open_invoice.pk}/edit/", finalized_edit(open_invoice, currency="EUR")
    )
    open_invoice.refresh_from_db()
    assert open_invoice.currency == "USD"


# SPEC INV-9
def test_edit_cancels_the_buyers_open_checkout_and_says_so(
    signed_in, editor_user, open_invoice, editing_on
):
    started = checkout.start_checkout(open_invoice, actor=Actor.system("buyer"))

    response = signed_in(editor_user).post(
        f"/invoices/{open_invoice.pk}/edit/", finalized_edit(open_invoice)
    )

    started.refresh_from_db()
    assert started.status == CheckoutStatus.CANCELLED
    assert "that checkout was cancelled" in messages_of(response)[0]


def test_edit_form_changes_the_locale(signed_in, editor_user, draft_invoice):
    data = form_data(
        [{"name": "Consulting hour", "unit_price": "100", "quantity": "2", "tax_rate": "25"}],
        stored=1,
        locale="en-GB",
    )
    signed_in(editor_user).post(f"/invoices/{draft_invoice.pk}/edit/", data)
    draft_invoice.refresh_from_db()
    assert draft_invoice.locale == "en-GB"
