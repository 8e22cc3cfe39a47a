"""Archiving products, deals and quotes (HubSpot's delete, to a recycling bin): the services with
their refusals and history, what an archived product still does on existing lines, the index
pages and pickers that leave archived records out, and their read-only record pages."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.history.models import Entry
from faktura.invoices import services as invoices
from faktura.sales import services as sales
from faktura.sales.line_forms import BaseLineFormSet, line_formset

pytestmark = pytest.mark.django_db

ARCHIVING: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "product": (sales.archive_product, sales.restore_product),
    "deal": (sales.archive_deal, sales.restore_deal),
    "quote": (sales.archive_quote, sales.restore_quote),
}


@pytest.fixture
def records(product, deal, quote):
    return {"product": product, "deal": deal, "quote": quote}


# --- services ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ARCHIVING)
def test_archived_then_restored_with_both_in_the_history(editor, records, kind):
    record = records[kind]
    archive, restore = ARCHIVING[kind]
    assert archive(record, actor=editor).archived_at is not None
    record.refresh_from_db()
    assert record.archived_at is not None
    with pytest.raises(RuleViolation, match="is already archived"):
        archive(record, actor=editor)

    restore(record, actor=editor)

    record.refresh_from_db()
    assert record.archived_at is None
    with pytest.raises(RuleViolation, match="is not archived, so there is nothing to restore"):
        restore(record, actor=editor)
    events = Entry.objects.for_object(kind, record.pk).filter(kind=Entry.Kind.EVENT)
    assert list(events.order_by("at", "id").values_list("event_type", flat=True))[-2:] == [
        f"{kind}.archived",
        f"{kind}.restored",
    ]


@pytest.mark.parametrize("kind", ARCHIVING)
def test_viewer_can_neither_archive_nor_restore(viewer, records, kind):
    archive, restore = ARCHIVING[kind]
    with pytest.raises(RuleViolation, match="view-only access"):
        archive(records[kind], actor=viewer)
    with pytest.raises(RuleViolation, match="view-only access"):
        restore(records[kind], actor=viewer)
    records[kind].refresh_from_db()
    assert records[kind].archived_at is None


def test_archived_product_cannot_be_picked_for_a_new_line(editor, product):
    sales.archive_product(product, actor=editor)
    with pytest.raises(RuleViolation, match="'Support plan' is archived, so it cannot be picked"):
        sales.create_deal(actor=editor, dealname="Renewal", lines=[{"product_id": product.pk}])


def test_lines_that_already_name_an_archived_product_keep_it(editor, contact, product):
    deal = sales.create_deal(
        actor=editor, dealname="Renewal", contacts=[contact], lines=[{"product_id": product.pk}]
    )
    sales.archive_product(product, actor=editor)

    # Editing the deal restates its lines; a quote and an invoice copy them.
    sales.update_deal(deal, actor=editor, values={}, lines=[{"product_id": product.pk}])
    quote = sales.create_quote(actor=editor, hs_title="Renewal quote", deal=deal)
    invoice = invoices.create_invoice_from_deal(deal, actor=editor)

    assert deal.line_items.get().product_id == product.pk
    assert quote.line_items.get().product_id == product.pk
    assert invoice.lines.get().unit_price == Decimal("80.00")


def test_invoice_lines_refuse_an_archived_product_unless_the_invoice_already_has_it(
    editor, contact, product
):
    draft = invoices.create_draft_invoice(
        actor=editor, contacts=[contact], lines=[{"product_id": product.pk}]
    )
    sales.archive_product(product, actor=editor)

    with pytest.raises(RuleViolation, match="'Support plan' is archived, so it cannot be picked"):
        invoices.create_draft_invoice(actor=editor, lines=[{"product_id": product.pk}])
    # The draft restates its own line (as the edit form does, without ids) and keeps it.
    invoices.update_invoice(
        draft, actor=editor, lines=[{"product_id": product.pk, "quantity": "2"}]
    )
    assert draft.lines.get().quantity == 2


def test_archived_deal_is_read_only_and_gets_no_new_quote_or_association(editor, deal, grace):
    sales.archive_deal(deal, actor=editor)
    with pytest.raises(RuleViolation, match="'Difference engine' is archived, so it cannot be"):
        sales.update_deal(deal, actor=editor, values={"dealstage": "closedwon"})
    with pytest.raises(RuleViolation, match="cannot have its line items changed"):
        sales.set_line_items(deal, [], actor=editor)
    with pytest.raises(RuleViolation, match="cannot get a new quote"):
        sales.create_quote(actor=editor, hs_title="Late quote", deal=deal)
    with pytest.raises(RuleViolation, match="cannot get another contact"):
        sales.add_deal_contact(deal, grace, actor=editor)
    assert deal.line_items.count() == 2


def test_quote_from_a_deal_leaves_its_archived_contacts_and_companies_behind(
    editor, deal, contact, grace, company
):
    sales.add_deal_contact(deal, grace, actor=editor)
    crm.archive_contact(contact, actor=editor)
    crm.archive_company(company, actor=editor)
    quote = sales.create_quote(actor=editor, hs_title="Engine quote", deal=deal)
    assert list(quote.contacts.all()) == [grace]
    assert not quote.companies.exists()
    assert set(deal.contacts.all()) == {contact, grace}  # the deal keeps them


# --- pages -------------------------------------------------------------------------------------


def product_options(rows: BaseLineFormSet) -> str:
    """The first row's product select as the page renders it."""
    return str(rows.forms[0]["product"])


@pytest.mark.parametrize("kind", ARCHIVING)
def test_index_page_leaves_archived_records_out(signed_in, editor_user, editor, records, kind):
    record = records[kind]
    client = signed_in(editor_user)
    assert record.get_absolute_url() in client.get(f"/{kind}s/").content.decode()
    ARCHIVING[kind][0](record, actor=editor)
    page = client.get(f"/{kind}s/").content.decode()
    assert record.get_absolute_url() not in page
    assert f"0 {kind}s" in page


def test_product_picker_offers_archived_products_only_on_lines_that_have_them(
    editor, product, deal
):
    spare = sales.create_product(actor=editor, name="Spare gear", price="5")
    sales.update_deal(deal, actor=editor, values={}, lines=[{"product_id": product.pk}])
    sales.archive_product(product, actor=editor)
    sales.archive_product(spare, actor=editor)

    new_row = product_options(line_formset())
    assert "Support plan" not in new_row
    assert "Spare gear" not in new_row
    edited = product_options(line_formset(stored=deal.line_items.all()))
    assert f'value="{product.pk}" selected data-name="Support plan"' in edited
    assert ">Support plan (archived)</option>" in edited
    assert "Spare gear" not in edited


def test_new_deal_form_does_not_offer_an_archived_product(signed_in, editor_user, editor, product):
    other = sales.create_product(actor=editor, name="Installation", price="300")
    sales.archive_product(product, actor=editor)
    page = signed_in(editor_user).get("/deals/new/").content.decode()
    assert f'value="{other.pk}" data-name="Installation"' in page
    assert "Support plan" not in page


def test_archived_deal_page_is_read_only_with_restore(signed_in, editor_user, deal, contact):
    client = signed_in(editor_user)
    dialog = client.get(f"/deals/{deal.pk}/archive/").content.decode()
    assert "It stays on the records it is already associated with" in dialog
    answer = client.post(f"/deals/{deal.pk}/archive/")
    assert answer.url == deal.get_absolute_url()

    page = client.get(deal.get_absolute_url()).content.decode()
    assert 'data-testid="archived-banner"' in page
    assert "Create invoice" not in page
    assert "Create quote" not in page
    assert f"/deals/{deal.pk}/edit/" not in page
    assert "Gear set" in page  # its lines and contacts are still shown
    assert contact.get_absolute_url() in page
    # The contact's page still lists the deal, marked.
    contact_page = client.get(contact.get_absolute_url()).content.decode()
    assert deal.get_absolute_url() in contact_page
    assert "Archived</span>" in contact_page

    client.post(f"/deals/{deal.pk}/restore/")
    deal.refresh_from_db()
    assert deal.archived_at is None
    assert "Create invoice" in client.get(deal.get_absolute_url()).content.decode()


def test_archive_dialog_of_a_product_says_its_lines_keep_it(signed_in, editor_user, product):
    dialog = signed_in(editor_user).get(f"/products/{product.pk}/archive/").content.decode()
    assert "cannot be picked for new line items" in dialog
    assert "Line items that already use it keep it." in dialog


def test_archiving_an_archived_quote_shows_the_reason_in_the_dialog(
    signed_in, editor_user, editor, quote
):
    sales.archive_quote(quote, actor=editor)
    answer = signed_in(editor_user).post(f"/quotes/{quote.pk}/archive/")
    assert answer.status_code == 400
    assert "is already archived" in answer.content.decode()


def test_viewer_gets_403_on_archive_and_restore(signed_in, viewer_user, product, deal, quote):
    client = signed_in(viewer_user)
    for kind, record in (("products", product), ("deals", deal), ("quotes", quote)):
        assert client.get(f"/{kind}/{record.pk}/archive/").status_code == 403
        for action in ("archive", "restore"):
            answer = client.post(f"/{kind}/{record.pk}/{action}/")
            assert answer.status_code == 403
            assert "view-only" in answer.content.decode()
    assert not Entry.objects.filter(event_type__endswith=".archived").exists()
