"""Contact and company pages through Django's test client: create, edit, associations, the
invoices of a contact, and what a view-only user may do."""

import pytest

from faktura.crm.models import Company, Contact
from faktura.history.models import Entry

pytestmark = pytest.mark.django_db

CONTACT_FORM = {
    "firstname": "Katherine",
    "lastname": "Johnson",
    "email": "katherine@example.com",
    "phone": "",
    "address": "",
    "city": "Hampton",
    "zip": "",
    "country": "US",
    "hubspot_owner_id": "",
}


def test_contact_created_then_edited_with_the_change_in_its_log(signed_in, editor_user):
    client = signed_in(editor_user)
    answer = client.post("/contacts/new/", CONTACT_FORM)
    contact = Contact.objects.get()
    assert answer.status_code == 302
    assert answer.url == f"/contacts/{contact.pk}/"
    client.post(f"/contacts/{contact.pk}/edit/", CONTACT_FORM | {"city": "Langley"})
    contact.refresh_from_db()
    assert contact.city == "Langley"
    page = client.get(answer.url).content.decode().replace("&gt;", ">")
    assert "City: Hampton → Langley" in page
    assert "katherine@example.com" in page


def test_contact_with_a_malformed_email_is_refused_beside_its_field(signed_in, editor_user):
    answer = signed_in(editor_user).post("/contacts/new/", CONTACT_FORM | {"email": "nope"})
    assert answer.status_code == 200
    assert "Enter a valid email address." in answer.content.decode()
    assert not Contact.objects.exists()


def test_contact_without_name_or_email_gets_the_services_reason(signed_in, editor_user):
    blank = dict.fromkeys(CONTACT_FORM, "")
    answer = signed_in(editor_user).post("/contacts/new/", blank)
    assert "email address or a name" in answer.content.decode()
    assert not Contact.objects.exists()


def test_company_contact_added_and_removed_from_either_side(signed_in, editor_user, contact, grace):
    client = signed_in(editor_user)
    client.post("/companies/new/", {"name": "Langley Research", "domain": "langley.test"})
    company = Company.objects.get()
    client.post(f"/companies/{company.pk}/contacts/add/", {"contact": contact.pk})
    client.post(f"/contacts/{grace.pk}/companies/add/", {"company": company.pk})
    assert set(company.contacts.all()) == {contact, grace}
    page = client.get(company.get_absolute_url()).content.decode()
    assert str(contact) in page
    assert str(grace) in page
    client.post(f"/contacts/{contact.pk}/companies/{company.pk}/remove/")
    assert list(company.contacts.all()) == [grace]


def test_association_dialog_lists_only_records_not_yet_associated(
    signed_in, editor_user, contact, grace, company
):
    client = signed_in(editor_user)
    client.post(f"/companies/{company.pk}/contacts/add/", {"contact": contact.pk})
    page = client.get(f"/companies/{company.pk}/contacts/add/?q=").content.decode()
    assert f'aria-label="Add {grace}"' in page
    assert f'aria-label="Add {contact}"' not in page


def test_contact_page_lists_its_invoices(signed_in, viewer_user, contact, open_invoice):
    page = signed_in(viewer_user).get(contact.get_absolute_url()).content.decode()
    assert str(open_invoice) in page
    assert open_invoice.get_absolute_url() in page


def test_viewer_gets_403_on_every_write_url_and_sees_no_controls(
    signed_in, viewer_user, contact, company
):
    client = signed_in(viewer_user)
    entries = Entry.objects.count()
    urls = [
        ("get", "/contacts/new/"),
        ("post", "/contacts/new/"),
        ("get", f"/contacts/{contact.pk}/edit/"),
        ("post", f"/contacts/{contact.pk}/edit/"),
        ("get", f"/contacts/{contact.pk}/companies/add/"),
        ("post", f"/contacts/{contact.pk}/companies/add/"),
        ("post", f"/contacts/{contact.pk}/companies/{company.pk}/remove/"),
        ("get", "/companies/new/"),
        ("post", "/companies/new/"),
        ("get", f"/companies/{company.pk}/edit/"),
        ("post", f"/companies/{company.pk}/edit/"),
        ("get", f"/companies/{company.pk}/contacts/add/"),
        ("post", f"/companies/{company.pk}/contacts/add/"),
        ("post", f"/companies/{company.pk}/contacts/{contact.pk}/remove/"),
    ]
    for method, url in urls:
        answer = getattr(client, method)(url, CONTACT_FORM | {"company": company.pk})
        assert answer.status_code == 403, (method, url)
    assert Entry.objects.count() == entries
    for record in (contact, company):
        page = client.get(record.get_absolute_url()).content.decode()
        assert "/edit/" not in page
        assert "/add/" not in page
