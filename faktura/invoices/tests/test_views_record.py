"""The invoice record page through Django's client: the sheet, the side panel, the Actions menu,
the owner, associations, property history and the lifecycle actions."""

import re

import pytest

from faktura.history.models import Entry
from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import Invoice, InvoiceStatus

pytestmark = pytest.mark.django_db


def page(client, invoice) -> str:
    response = client.get(f"/invoices/{invoice.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def menu_item(html: str, key: str) -> str:
    """The markup of one Actions menu item."""
    match = re.search(rf'<li>\s*(<[^>]*data-action="{key}".*?)</li>', html, re.S)
    assert match, key
    return match.group(1)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# SPEC INV-2
# SPEC INV-3
def test_record_page_shows_the_sheet_payments_properties_and_associations(
    signed_in, admin_user, make_invoice, system, company, deal
):
    invoice = make_invoice(finalized=True, companies=[company], deal=deal)
    payment = record_invoice_payment(invoice, actor=system, amount="100.00")

    html = page(signed_in(admin_user), invoice)

    assert f"Invoice {invoice.number}" in html
    assert ">Open<" in html
    assert ">Partially paid<" in html
    for amount in ("200.00 USD", "50.00 USD", "250.00 USD", "100.00 USD", "150.00 USD"):
        assert amount in html
    assert f'href="/payments/{payment.pk}/"' in html
    assert "Analytical Engines Ltd" in html
    assert 'href="/deals/' in html
    # Every declared property is listed with its label.
    for label in ("Invoice status", "Payment status", "Balance due", "Invoice link", "Due date"):
        assert f"<dt>{label}</dt>" in html


# SPEC INV-3
def test_overdue_invoice_shows_an_overdue_badge(signed_in, admin_user, make_invoice):
    invoice = make_invoice(
        finalized=True, values={"hs_invoice_date": "2020-01-01", "hs_payment_terms": "net_15"}
    )
    assert re.search(r">Overdue \d+ days<", page(signed_in(admin_user), invoice))


# SPEC INV-32
def test_edit_log_says_who_did_what_and_when(signed_in, admin_user, make_invoice, system):
    invoice = make_invoice(finalized=True)
    invoices.assign_invoice_owner(invoice, admin_user, actor=system)
    client = signed_in(admin_user)
    client.post(f"/invoices/{invoice.pk}/owner/", {"owner": ""})

    html = page(client, invoice)

    assert "Finalized the invoice as INV-1" in html
    assert "System: tests" in html
    assert "User: admin" in html
    assert "Invoice owner: admin → (empty)" in html
    assert "Invoice status: Draft → Open" in html


# SPEC INV-4
def test_draft_menu_offers_edit_history_clone_delete_and_a_finalize_button(
    signed_in, editor_user, draft_invoice
):
    html = page(signed_in(editor_user), draft_invoice)

    keys = re.findall(r'data-action="([a-z_]+)"', html)
    assert keys == ["edit", "history", "clone", "delete"]
    assert f'action="/invoices/{draft_invoice.pk}/finalize/"' in html


# SPEC INV-5
def test_finalize_button_is_disabled_with_the_reason_when_the_draft_is_incomplete(
    signed_in, editor_user, make_invoice
):
    draft = make_invoice(contacts=[])
    html = page(signed_in(editor_user), draft)
    assert "Add at least one contact" in html
    assert f'action="/invoices/{draft.pk}/finalize/"' not in html


# SPEC INV-18
# SPEC INV-19
def test_send_opens_its_dialog_and_download_gives_the_pdf(signed_in, editor_user, open_invoice):
    html = page(signed_in(editor_user), open_invoice)
    assert f'hx-get="/invoices/{open_invoice.pk}/send/"' in menu_item(html, "send")
    assert f'href="/invoices/{open_invoice.pk}/pdf/"' in menu_item(html, "download")


# SPEC INV-15
# SPEC INV-17
def test_view_invoice_opens_the_buyer_page_in_a_new_tab_and_copy_link_holds_the_public_url(
    signed_in, editor_user, open_invoice, account
):
    account(invoice_public_domain="https://billing.example.com")
    html = page(signed_in(editor_user), open_invoice)

    view = menu_item(html, "view")
    assert f'href="/i/{open_invoice.public_token}/"' in view
    assert 'target="_blank"' in view
    copy = menu_item(html, "copy_link")
    assert f'data-copy="https://billing.example.com/i/{open_invoice.public_token}/"' in copy


# SPEC INV-8
def test_edit_is_disabled_with_the_reason_when_a_payment_exists(
    signed_in, editor_user, open_invoice, system, editing_on
):
    record_invoice_payment(open_invoice, actor=system, amount="10.00")
    item = menu_item(page(signed_in(editor_user), open_invoice), "edit")
    assert "disabled" in item
    assert "has 1 payment on it and cannot be edited" in item


def test_finalize_gives_the_invoice_its_number(signed_in, editor_user, draft_invoice):
    response = signed_in(editor_user).post(f"/invoices/{draft_invoice.pk}/finalize/", follow=True)

    draft_invoice.refresh_from_db()
    assert draft_invoice.status == InvoiceStatus.OPEN
    assert "Invoice INV-1 is finalized." in response.content.decode()


def test_finalize_refusal_is_a_message_not_an_error(signed_in, editor_user, open_invoice):
    response = signed_in(editor_user).post(f"/invoices/{open_invoice.pk}/finalize/")
    assert response.status_code == 302
    assert messages_of(response) == ["Invoice INV-1 is already finalized."]


# SPEC INV-2
def test_owner_changes_through_htmx_and_the_panel_says_so(
    signed_in, admin_user, editor_user, draft_invoice
):
    response = signed_in(admin_user).post(
        f"/invoices/{draft_invoice.pk}/owner/",
        {"owner": editor_user.pk},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Owner set to editor." in response.content.decode()
    assert 'id="owner-panel"' in response.content.decode()
    draft_invoice.refresh_from_db()
    assert draft_invoice.owner == editor_user


# SPEC INV-16
def test_property_history_lists_each_value_with_who_and_when(
    signed_in, admin_user, editor_user, draft_invoice
):
    client = signed_in(admin_user)
    client.post(f"/invoices/{draft_invoice.pk}/owner/", {"owner": editor_user.pk})
    client.post(f"/invoices/{draft_invoice.pk}/owner/", {"owner": admin_user.pk})

    html = client.get(
        f"/invoices/{draft_invoice.pk}/history/?property=hubspot_owner_id"
    ).content.decode()

    rows = re.findall(r"<tr>\s*<td.*?</tr>", html, re.S)
    assert len(rows) == 2  # newest first: admin (current), then editor
    assert "admin" in rows[0]
    assert "current" in rows[0]
    assert "User: admin" in rows[0]
    assert "editor" in rows[1]
    assert "User: admin" in rows[1]
    assert re.search(r"\w{3} \d+, \d{4} \d\d:\d\d", rows[1])


def test_property_history_of_an_unknown_property_says_so(signed_in, admin_user, draft_invoice):
    response = signed_in(admin_user).get(f"/invoices/{draft_invoice.pk}/history/?property=nope")
    assert response.status_code == 200
    assert "Property &#x27;nope&#x27; does not exist" in response.content.decode()


# SPEC INV-2
def test_contact_and_company_added_and_removed_on_a_draft(
    signed_in, editor_user, draft_invoice, grace, company, contact
):
    client = signed_in(editor_user)
    url = f"/invoices/{draft_invoice.pk}"

    picker = client.get(f"{url}/contacts/add/?q=grace").content.decode()
    assert "Grace Hopper" in picker
    assert "Ada Lovelace" not in picker
    client.post(f"{url}/contacts/add/", {"contact": grace.pk})
    client.post(f"{url}/companies/add/", {"company": company.pk})
    assert list(draft_invoice.contacts_in_order()) == [contact, grace]
    assert list(draft_invoice.companies.all()) == [company]

    client.post(f"{url}/contacts/{contact.pk}/remove/")
    response = client.post(f"{url}/companies/{company.pk}/remove/")
    assert messages_of(response)[-1] == "Analytical Engines Ltd removed from the invoice."
    assert list(draft_invoice.contacts_in_order()) == [grace]
    assert not draft_invoice.companies.exists()
    assert Entry.objects.filter(property="hs_contacts", object_id=draft_invoice.pk).count() == 3


# SPEC INV-23
def test_associations_of_a_voided_invoice_cannot_change(
    signed_in, editor_user, open_invoice, grace, system
):
    invoices.void_invoice(open_invoice, actor=system)
    client = signed_in(editor_user)

    html = page(client, open_invoice)
    assert "Add contact" not in html
    assert "is voided: its contacts and companies can no longer change" in html
    response = client.post(f"/invoices/{open_invoice.pk}/contacts/add/", {"contact": grace.pk})
    assert "can no longer change" in messages_of(response)[0]
    assert list(open_invoice.contacts_in_order()) != [grace]
    assert open_invoice.contacts.count() == 1


# SPEC INV-7
def test_contact_added_to_a_finalized_invoice_changes_nothing_the_customer_sees(
    signed_in, editor_user, open_invoice, grace, editing_on
):
    # SPEC DOC-2: a further contact is for context and copies, never printed as the buyer.
    client = signed_in(editor_user)
    response = client.post(f"/invoices/{open_invoice.pk}/contacts/add/", {"contact": grace.pk})

    assert response["Location"] == f"/invoices/{open_invoice.pk}/"
    assert messages_of(response) == ["Grace Hopper added to the invoice."]
    assert list(open_invoice.contacts_in_order()) == [open_invoice.contacts_in_order()[0], grace]


def test_billing_contact_changed_on_a_finalized_invoice_proposes_a_customer_message(
    signed_in, editor_user, open_invoice, grace, editing_on
):
    # SPEC DOC-2
    # SPEC INV-7
    client = signed_in(editor_user)
    client.post(f"/invoices/{open_invoice.pk}/contacts/add/", {"contact": grace.pk})
    response = client.post(f"/invoices/{open_invoice.pk}/contacts/{grace.pk}/bill/")

    assert "/changed/" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "Bill to" in html
    assert "Ada Lovelace" in html
    assert "Grace Hopper" in html
    assert open_invoice.contacts_in_order()[0] == grace


def test_last_contact_of_a_finalized_invoice_cannot_be_removed(
    signed_in, editor_user, open_invoice, contact, editing_on
):
    response = signed_in(editor_user).post(
        f"/invoices/{open_invoice.pk}/contacts/{contact.pk}/remove/"
    )
    assert "at least one contact" in messages_of(response)[0]
    assert open_invoice.contacts.count() == 1


# SPEC INV-20
def test_clone_makes_a_new_draft_and_opens_it(signed_in, editor_user, open_invoice):
    response = signed_in(editor_user).post(f"/invoices/{open_invoice.pk}/clone/")

    clone = Invoice.objects.exclude(pk=open_invoice.pk).get()
    assert response["Location"] == f"/invoices/{clone.pk}/"
    assert clone.status == InvoiceStatus.DRAFT
    assert [line.name for line in clone.lines.all()] == ["Consulting hour"]
    assert "clone of INV-1" in messages_of(response)[0]


# SPEC INV-23
def test_void_dialog_says_what_happens_and_voiding_marks_the_invoice(
    signed_in, editor_user, open_invoice
):
    client = signed_in(editor_user)
    dialog = client.get(f"/invoices/{open_invoice.pk}/void/").content.decode()
    assert "can no longer take a payment" in dialog
    assert "cannot be un-voided" in dialog
    assert "cannot be undone" in dialog

    response = client.post(f"/invoices/{open_invoice.pk}/void/", headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/invoices/{open_invoice.pk}/"
    open_invoice.refresh_from_db()
    assert open_invoice.status == InvoiceStatus.VOIDED
    html = page(client, open_invoice)
    assert ">Voided<" in html
    assert "is voided and can no longer take a payment" in menu_item(html, "record_payment")


# SPEC INV-23
def test_void_refused_with_the_reason_when_a_manual_payment_exists(
    signed_in, editor_user, open_invoice, system
):
    record_invoice_payment(open_invoice, actor=system, amount="10.00")
    client = signed_in(editor_user)

    dialog = client.get(f"/invoices/{open_invoice.pk}/void/").content.decode()
    assert "Delete the payment before voiding" in dialog
    assert "Void invoice</button>" not in dialog
    response = client.post(f"/invoices/{open_invoice.pk}/void/")
    assert response.status_code == 400
    assert "Delete the payment before voiding" in response.content.decode()
    open_invoice.refresh_from_db()
    assert open_invoice.status == InvoiceStatus.OPEN


# SPEC INV-21
# SPEC INV-22
def test_delete_dialog_of_a_finalized_invoice_tells_of_the_number_gap(
    signed_in, editor_user, open_invoice, deleting_on
):
    client = signed_in(editor_user)
    dialog = client.get(f"/invoices/{open_invoice.pk}/delete/").content.decode()
    assert "never used again" in dialog
    assert "permanent gap" in dialog
    assert "cannot be undone" in dialog

    response = client.post(f"/invoices/{open_invoice.pk}/delete/")

    assert response["Location"] == "/invoices/"
    assert messages_of(response) == [
        "Invoice INV-1 was deleted. Its number INV-1 will not be used again."
    ]
    assert not Invoice.objects.exists()


# SPEC INV-21
def test_delete_of_a_finalized_invoice_refused_with_the_reason_when_the_setting_is_off(
    signed_in, editor_user, open_invoice
):
    client = signed_in(editor_user)
    dialog = client.get(f"/invoices/{open_invoice.pk}/delete/").content.decode()
    assert "Deleting finalized invoices is turned off" in dialog
    assert "Delete invoice</button>" not in dialog
    assert client.post(f"/invoices/{open_invoice.pk}/delete/").status_code == 400
    assert Invoice.objects.filter(pk=open_invoice.pk).exists()


# SPEC INV-4
def test_draft_deleted_after_confirmation(signed_in, editor_user, draft_invoice):
    client = signed_in(editor_user)
    dialog = client.get(f"/invoices/{draft_invoice.pk}/delete/").content.decode()
    assert "no number is lost" in dialog

    response = client.post(f"/invoices/{draft_invoice.pk}/delete/")

    assert response["Location"] == "/invoices/"
    assert messages_of(response) == [f"Draft invoice {draft_invoice.pk} was deleted."]
    assert not Invoice.objects.exists()
