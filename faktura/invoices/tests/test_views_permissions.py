"""Who may do what on the invoice pages: a view-only user reads everything, changes nothing.

Every write URL answers a viewer with 403 and the reason, before anything is written; the
pages show a viewer no forms or controls that change data.
"""

import pytest

from faktura.history.models import Entry
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import Invoice, InvoicePayment
from faktura.payments.models import Payment

pytestmark = pytest.mark.django_db

VIEW_ONLY = "You have view-only access to invoices"


def write_urls(draft, invoice, payment, contact, company, deal, quote) -> list[tuple[str, str]]:
    """(method, url) of every URL of the invoice pages that changes data or leads to a change."""
    d, i = draft.pk, invoice.pk
    return [
        ("get", "/invoices/new/"),
        ("post", "/invoices/new/"),
        ("post", f"/invoices/from-deal/{deal.pk}/"),
        ("post", f"/invoices/from-quote/{quote.pk}/"),
        ("get", f"/invoices/{d}/edit/"),
        ("post", f"/invoices/{d}/edit/"),
        ("post", f"/invoices/{d}/finalize/"),
        ("post", f"/invoices/{i}/clone/"),
        ("get", f"/invoices/{i}/void/"),
        ("post", f"/invoices/{i}/void/"),
        ("get", f"/invoices/{d}/delete/"),
        ("post", f"/invoices/{d}/delete/"),
        ("post", f"/invoices/{i}/owner/"),
        ("get", f"/invoices/{d}/contacts/add/"),
        ("post", f"/invoices/{d}/contacts/add/"),
        ("post", f"/invoices/{d}/contacts/{contact.pk}/remove/"),
        ("get", f"/invoices/{d}/companies/add/"),
        ("post", f"/invoices/{d}/companies/add/"),
        ("post", f"/invoices/{d}/companies/{company.pk}/remove/"),
        ("get", f"/invoices/{i}/payments/new/"),
        ("post", f"/invoices/{i}/payments/new/"),
        ("get", f"/invoices/{i}/payments/search/?q=10"),
        ("post", f"/invoices/{i}/payments/apply/"),
        ("get", f"/payments/{payment.pk}/delete/"),
        ("post", f"/payments/{payment.pk}/delete/"),
    ]


@pytest.fixture
def everything(make_invoice, system, contact, company, deal, quote):
    draft = make_invoice(companies=[company])
    invoice = make_invoice(finalized=True)
    payment = record_invoice_payment(invoice, actor=system, amount="10.00")
    return draft, invoice, payment, contact, company, deal, quote


def test_viewer_gets_403_with_the_reason_on_every_write_url_and_nothing_changes(
    signed_in, viewer_user, everything
):
    client = signed_in(viewer_user)
    counts = (Invoice.objects.count(), Payment.objects.count(), Entry.objects.count())
    forms = {"owner": "", "contact": everything[3].pk, "company": everything[4].pk}
    forms |= {"payment": everything[2].pk, "amount": "5", "paid_on": "2020-01-01"}
    for method, url in write_urls(*everything):
        response = getattr(client, method)(url, forms if method == "post" else None)
        assert response.status_code == 403, (method, url)
        assert VIEW_ONLY in response.content.decode(), (method, url)
    assert (Invoice.objects.count(), Payment.objects.count(), Entry.objects.count()) == counts
    assert InvoicePayment.objects.count() == 1


def test_actions_refuse_a_get_so_a_link_can_never_change_data(signed_in, editor_user, everything):
    client = signed_in(editor_user)
    gets = {url for method, url in write_urls(*everything) if method == "get"}
    posts_only = [url for method, url in write_urls(*everything) if url not in gets]
    assert len(posts_only) == 8
    for url in posts_only:
        assert client.get(url).status_code == 405, url
    assert Invoice.objects.count() == 2


def test_signed_out_visitor_is_sent_to_log_in_from_every_staff_url(client, everything):
    draft, invoice, payment = everything[:3]
    for url in (
        f"/invoices/{invoice.pk}/",
        f"/invoices/{draft.pk}/edit/",
        f"/payments/{payment.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


# SPEC INV-2
def test_viewer_sees_the_invoice_but_no_controls_that_change_it(
    signed_in, viewer_user, make_invoice, company
):
    draft = make_invoice(companies=[company])
    html = signed_in(viewer_user).get(f"/invoices/{draft.pk}/").content.decode()

    assert "Consulting hour" in html
    assert "Ada Lovelace" in html
    # No owner select, no association controls, no edit form.
    assert 'name="owner"' not in html
    assert "Add contact" not in html
    assert "Add company" not in html
    assert "/remove/" not in html
    assert "Contacts and companies cannot change now" not in html
    assert f"/invoices/{draft.pk}/edit/" not in html
    # Finalize and every menu item are shown disabled with the permission reason.
    assert html.count(VIEW_ONLY) >= 4
    assert f'action="/invoices/{draft.pk}/finalize/"' not in html


def test_viewer_sees_the_payment_page_with_delete_disabled(
    signed_in, viewer_user, open_invoice, system
):
    payment = record_invoice_payment(open_invoice, actor=system, amount="10.00")
    html = signed_in(viewer_user).get(f"/payments/{payment.pk}/").content.decode()
    assert "10.00 USD" in html
    assert VIEW_ONLY in html
    assert f"/payments/{payment.pk}/delete/" not in html


def test_unknown_ids_are_404_on_every_invoice_page(signed_in, admin_user, db):
    client = signed_in(admin_user)
    for url in (
        "/invoices/999/",
        "/invoices/999/edit/",
        "/invoices/999/history/",
        "/invoices/999/void/",
        "/invoices/999/delete/",
        "/invoices/999/payments/new/",
        "/invoices/999/contacts/add/",
        "/payments/999/",
        "/payments/999/delete/",
    ):
        assert client.get(url).status_code == 404, url
    for url in ("/invoices/from-deal/999/", "/invoices/from-quote/999/", "/invoices/999/clone/"):
        assert client.post(url).status_code == 404, url
