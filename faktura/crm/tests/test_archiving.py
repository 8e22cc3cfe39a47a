"""Archiving contacts and companies (HubSpot's delete, to a recycling bin): the services with their
refusals and history, what archived records are left out of (index pages, search, pickers), their
read-only record page with Restore, and the whole round trip in Chromium."""

import pytest
from playwright.sync_api import expect

from faktura.core.errors import RuleViolation
from faktura.core.properties import object_type_for
from faktura.crm import services as crm
from faktura.crm.models import Company, Contact
from faktura.crm.queries import search_companies, search_contacts
from faktura.history.models import Entry
from faktura.sales import services as sales

pytestmark = pytest.mark.django_db


def events(record: Contact | Company) -> list[str]:
    entries = Entry.objects.for_object(object_type_for(record).singular, record.pk).filter(
        kind=Entry.Kind.EVENT
    )
    return list(entries.order_by("at", "id").values_list("event_type", flat=True))


# --- services ----------------------------------------------------------------------------------


def test_contact_archived_then_restored_with_both_in_its_history(editor, contact):
    archived = crm.archive_contact(contact, actor=editor)
    assert archived.archived_at is not None
    contact.refresh_from_db()
    assert contact.archived_at == archived.archived_at

    crm.restore_contact(contact, actor=editor)

    contact.refresh_from_db()
    assert contact.archived_at is None
    assert events(contact)[-2:] == ["contact.archived", "contact.restored"]
    entry = Entry.objects.for_object("contact", contact.pk).get(event_type="contact.archived")
    assert entry.actor_user_id == editor.user.pk


def test_company_archived_twice_or_restored_while_active_is_refused_with_the_reason(
    editor, company
):
    with pytest.raises(RuleViolation, match="is not archived, so there is nothing to restore"):
        crm.restore_company(company, actor=editor)
    crm.archive_company(company, actor=editor)
    with pytest.raises(RuleViolation, match="'Analytical Engines Ltd' is already archived"):
        crm.archive_company(company, actor=editor)
    assert events(company).count("company.archived") == 1


def test_viewer_can_neither_archive_nor_restore(viewer, editor, contact):
    with pytest.raises(RuleViolation, match="view-only access") as refusal:
        crm.archive_contact(contact, actor=viewer)
    assert refusal.value.code == "permission_denied"
    crm.archive_contact(contact, actor=editor)
    with pytest.raises(RuleViolation, match="view-only access"):
        crm.restore_contact(contact, actor=viewer)
    contact.refresh_from_db()
    assert contact.archived_at is not None


def test_archived_contact_is_read_only_until_restored(editor, contact):
    crm.archive_contact(contact, actor=editor)
    with pytest.raises(RuleViolation, match="is archived, so it cannot be changed. Restore it"):
        crm.update_contact(contact, actor=editor, values={"city": "London"})
    crm.restore_contact(contact, actor=editor)
    assert crm.update_contact(contact, actor=editor, values={"city": "London"}).city == "London"


def test_archiving_keeps_associations_but_refuses_new_ones_either_way(
    editor, contact, grace, company
):
    crm.associate_contact_with_company(contact, company, actor=editor)
    deal = sales.create_deal(actor=editor, dealname="Engine", contacts=[contact])
    crm.archive_contact(contact, actor=editor)
    crm.archive_company(company, actor=editor)

    # What it had stays, for a restore and for the records that name it.
    assert list(company.contacts.all()) == [contact]
    assert list(deal.contacts.all()) == [contact]
    with pytest.raises(RuleViolation, match="is archived, so it cannot be added to a company"):
        crm.associate_contact_with_company(
            contact, crm.create_company(actor=editor, name="Other"), actor=editor
        )
    with pytest.raises(RuleViolation, match="Analytical Engines Ltd' is archived"):
        crm.associate_contact_with_company(grace, company, actor=editor)
    with pytest.raises(RuleViolation, match="cannot be added to a deal"):
        sales.add_deal_contact(
            sales.create_deal(actor=editor, dealname="New"), contact, actor=editor
        )
    with pytest.raises(RuleViolation, match="cannot be added to a quote"):
        sales.create_quote(actor=editor, hs_title="Offer", companies=[company])
    # Taking an archived record off something is still allowed.
    crm.dissociate_contact_from_company(contact, company, actor=editor)
    sales.remove_deal_contact(deal, contact, actor=editor)
    assert not deal.contacts.exists()


def test_search_leaves_archived_contacts_and_companies_out(editor, contact, grace, company):
    crm.archive_contact(contact, actor=editor)
    crm.archive_company(company, actor=editor)
    assert list(search_contacts("")) == [grace]
    assert list(search_contacts("ada")) == []
    assert list(search_companies("engines")) == []


# --- pages -------------------------------------------------------------------------------------


def test_index_page_and_its_quick_search_leave_archived_contacts_out(
    signed_in, editor_user, editor, contact, grace
):
    crm.archive_contact(contact, actor=editor)
    client = signed_in(editor_user)
    page = client.get("/contacts/").content.decode()
    assert contact.get_absolute_url() not in page
    assert grace.get_absolute_url() in page
    assert "1 contact" in page
    assert contact.get_absolute_url() not in client.get("/contacts/?q=Lovelace").content.decode()
    assert (
        contact.get_absolute_url() not in client.get(f"/contacts/?q={contact.pk}").content.decode()
    )


def test_pickers_leave_archived_records_out(
    signed_in, editor_user, editor, contact, grace, company
):
    other = crm.create_company(actor=editor, name="Jacquard Looms")
    crm.archive_contact(contact, actor=editor)
    crm.archive_company(company, actor=editor)
    client = signed_in(editor_user)

    association = client.get(f"/companies/{other.pk}/contacts/add/?q=").content.decode()
    assert f'aria-label="Add {grace}"' in association
    assert f'aria-label="Add {contact}"' not in association
    options = client.get("/contacts/options/?q=").content.decode()
    assert str(grace) in options
    assert str(contact) not in options
    assert company.name not in client.get("/companies/options/?q=").content.decode()
    # The new-deal and new-invoice forms' selects.
    for form in ("/deals/new/", "/invoices/new/"):
        page = client.get(form).content.decode()
        assert str(grace) in page
        assert str(contact) not in page
        assert company.name not in page


def test_picking_an_archived_contact_in_a_form_is_refused(signed_in, editor_user, editor, contact):
    crm.archive_contact(contact, actor=editor)
    answer = signed_in(editor_user).post(
        "/deals/new/",
        {
            "dealname": "Lighthouse",
            "dealstage": "qualifiedtobuy",
            "deal_currency_code": "EUR",
            "contact": str(contact.pk),
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    assert answer.status_code == 400
    assert "Select a valid choice" in answer.content.decode()


def test_email_from_a_company_is_not_addressed_to_its_archived_contacts(
    signed_in, editor_user, editor, contact, grace, company
):
    crm.associate_contact_with_company(contact, company, actor=editor)
    crm.associate_contact_with_company(grace, company, actor=editor)
    crm.archive_contact(contact, actor=editor)
    page = signed_in(editor_user).get(f"/email/companies/{company.pk}/").content.decode()
    assert "grace@example.com" in page
    assert "ada@example.com" not in page


def test_archive_dialog_says_what_happens_and_archiving_leads_to_the_read_only_page(
    signed_in, editor_user, contact, company
):
    client = signed_in(editor_user)
    page = client.get(contact.get_absolute_url()).content.decode()
    assert f'href="/contacts/{contact.pk}/archive/"' in page

    dialog = client.get(f"/contacts/{contact.pk}/archive/").content.decode()
    assert "It no longer shows on the contacts page" in dialog
    assert "restore it from its page at any time" in dialog

    answer = client.post(f"/contacts/{contact.pk}/archive/")
    assert answer.status_code == 302
    assert answer.url == contact.get_absolute_url()
    page = client.get(contact.get_absolute_url()).content.decode()
    assert 'data-testid="archived-banner"' in page
    assert "Archived on" in page
    assert f"by {editor_user.full_name}" in page
    assert f'action="/contacts/{contact.pk}/restore/"' in page
    assert "Archived the contact" in page  # the edit log
    # Read-only: no Edit, Send email, Add company or Archive.
    assert f"/contacts/{contact.pk}/edit/" not in page
    assert "Send email" not in page
    assert "Add company" not in page
    assert f'href="/contacts/{contact.pk}/archive/"' not in page


def test_restore_from_the_banner_brings_the_contact_back(signed_in, editor_user, editor, contact):
    crm.archive_contact(contact, actor=editor)
    client = signed_in(editor_user)
    answer = client.post(f"/contacts/{contact.pk}/restore/")
    assert answer.status_code == 302
    contact.refresh_from_db()
    assert contact.archived_at is None
    page = client.get(answer.url).content.decode()
    assert "is restored" in page
    assert 'data-testid="archived-banner"' not in page
    assert contact.get_absolute_url() in client.get("/contacts/").content.decode()


def test_restoring_an_active_company_shows_the_reason(signed_in, editor_user, company):
    client = signed_in(editor_user)
    answer = client.post(f"/companies/{company.pk}/restore/", follow=True)
    assert "is not archived, so there is nothing to restore" in answer.content.decode()


def test_viewer_sees_the_banner_without_restore_and_gets_403_on_archive_urls(
    signed_in, viewer_user, editor, contact, company
):
    crm.archive_contact(contact, actor=editor)
    client = signed_in(viewer_user)
    page = client.get(contact.get_absolute_url()).content.decode()
    assert 'data-testid="archived-banner"' in page
    assert "/restore/" not in page
    assert "/archive/" not in client.get(company.get_absolute_url()).content.decode()
    for url in (f"/contacts/{contact.pk}/restore/", f"/companies/{company.pk}/archive/"):
        assert client.post(url).status_code == 403
    assert client.get(f"/companies/{company.pk}/archive/").status_code == 403


def test_records_on_an_archived_contact_show_it_marked_archived(
    signed_in, editor_user, editor, contact, deal
):
    crm.archive_contact(contact, actor=editor)
    page = signed_in(editor_user).get(deal.get_absolute_url()).content.decode()
    assert contact.get_absolute_url() in page
    assert "Archived</span>" in page


# --- in the browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_contact_archived_from_its_page_leaves_the_index_and_is_restored(
    sign_in, live_server, editor_user, contact, grace
):
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}{contact.get_absolute_url()}")
    page.get_by_role("link", name="Archive").click()
    dialog = page.locator("#dialog")
    expect(dialog).to_contain_text("restore it from its page at any time")

    dialog.get_by_role("button", name="Archive contact").click()

    expect(page.get_by_test_id("archived-banner")).to_contain_text("Archived on")
    page.goto(f"{live_server.url}/contacts/")
    table = page.locator("table")
    expect(table).to_contain_text("Grace")
    expect(table).not_to_contain_text("Lovelace")

    page.goto(f"{live_server.url}{contact.get_absolute_url()}")
    page.get_by_test_id("archived-banner").get_by_role("button", name="Restore").click()

    expect(page.get_by_role("alert")).to_contain_text("is restored")
    expect(page.get_by_test_id("archived-banner")).to_have_count(0)
    page.goto(f"{live_server.url}/contacts/")
    expect(page.locator("table")).to_contain_text("Lovelace")
