"""The index page of every object type: who sees it, what a row shows, search, columns, the
filter editor's partials, and a query count that does not grow with the rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faktura.core.actors import Actor
from faktura.core.properties import object_types
from faktura.crm import services as crm
from faktura.invoices import services as invoices
from faktura.listings.defaults import object_type_at
from faktura.listings.models import SavedView
from faktura.payments import services as payments
from faktura.sales import services as sales

pytestmark = pytest.mark.django_db

PAGES = ["invoices", "payments", "contacts", "companies", "deals", "quotes", "products"]


def text_of(response):
    """The page's text without tags and runs of white space."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.parametrize("path", PAGES)
def test_index_pages_need_a_login(client, path):
    response = client.get(f"/{path}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/{path}/"


@pytest.mark.parametrize("path", [p for p in PAGES if p != "payments"])
def test_create_button_leads_to_a_form_for_editors_only(client, editor_user, viewer_user, path):
    client.force_login(editor_user)
    button = f'href="/{path}/new/"'
    assert button in client.get(f"/{path}/").content.decode()
    form = client.get(f"/{path}/new/")
    assert form.status_code == 200
    assert "<form" in form.content.decode()
    client.force_login(viewer_user)
    assert button not in client.get(f"/{path}/").content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_every_object_type_has_an_index_page(client, viewer_user, path):
    client.force_login(viewer_user)
    response = client.get(f"/{path}/")
    assert response.status_code == 200
    assert "table table-hover table-index" in response.content.decode()


def test_other_addresses_are_not_taken_by_index_pages(client, viewer_user):
    client.force_login(viewer_user)
    assert client.get("/widgets/").status_code == 404
    assert client.get("/commerce_payments/").status_code == 404  # payments live at /payments/


@pytest.mark.parametrize(
    ("path", "button"),
    [
        ("invoices", "Create invoice"),
        ("contacts", "Create contact"),
        ("companies", "Create company"),
        ("deals", "Create deal"),
        ("quotes", "Create quote"),
        ("products", "Create product"),
    ],
)
def test_create_button_only_for_users_who_may_edit(client, editor_user, viewer_user, path, button):
    client.force_login(editor_user)
    assert f'href="/{path}/new/"' in client.get(f"/{path}/").content.decode()
    assert button in text_of(client.get(f"/{path}/"))
    client.force_login(viewer_user)
    assert button not in text_of(client.get(f"/{path}/"))


def test_payments_have_no_create_button(client, admin_user):
    client.force_login(admin_user)
    assert "/payments/new/" not in client.get("/payments/").content.decode()


def test_rows_link_to_records_and_show_readable_values(client, viewer_user, admin_user, system):
    ada = crm.create_contact(actor=system, firstname="Ada", lastname="Lovelace")
    invoice = invoices.create_draft_invoice(
        actor=system,
        contacts=[ada],
        owner=admin_user,
        lines=[{"name": "Consulting", "unit_price": "1234.5", "quantity": "1"}],
        values={"hs_currency": "EUR"},
    )
    invoice = invoices.finalize_invoice(invoice, actor=system)
    client.force_login(viewer_user)
    response = client.get(
        "/invoices/?cols=hs_number,hs_invoice_status,hs_amount_billed,hs_comments,"
        "hs_created_by_subscription,hubspot_owner_id,hs_contacts"
    )
    page = response.content.decode()
    assert re.search(rf'<a class="[^"]*" href="/invoices/{invoice.pk}/">{invoice.number}</a>', page)
    cells = text_of(response)
    assert f"{invoice.number} Open 1,234.50 EUR — No admin Ada Lovelace" in cells


def test_a_draft_without_number_still_links_by_its_name(client, viewer_user, draft_invoice):
    client.force_login(viewer_user)
    page = client.get("/invoices/").content.decode()
    assert f'href="/invoices/{draft_invoice.pk}/">Draft invoice {draft_invoice.pk}</a>' in page


def test_payment_values_show_the_payment_currency(client, viewer_user, system, contact):
    payment = payments.create_manual_payment(
        actor=system, amount="99.5", currency="NOK", method="cash", contact=contact
    )
    client.force_login(viewer_user)
    cells = text_of(client.get("/payments/?cols=hs_object_id,hs_initial_amount,hs_contact_id"))
    assert f"{payment.pk} 99.50 NOK Ada Lovelace" in cells
    page = client.get("/payments/?cols=hs_object_id,hs_contact_id").content.decode()
    assert re.search(rf'<a class="[^"]*" href="/contacts/{contact.pk}/">Ada Lovelace</a>', page)


def test_quick_search_looks_in_the_declared_columns_and_the_id(client, viewer_user, system):
    crm.create_contact(actor=system, firstname="Ada", lastname="Lovelace", email="ada@x.io")
    grace = crm.create_contact(actor=system, firstname="Grace", lastname="Hopper")
    client.force_login(viewer_user)
    found = text_of(client.get("/contacts/?q=LOVE"))
    assert "Lovelace" in found
    assert "Hopper" not in found
    assert "1 contact" in found
    found = text_of(client.get(f"/contacts/?q={grace.pk}"))
    assert "Hopper" in found
    assert "Lovelace" not in found
    assert "No contacts to show for these filters." in text_of(client.get("/contacts/?q=zzz"))
    # A digit that is not an ASCII digit is searched as text, not read as an id.
    assert "No contacts to show for these filters." in text_of(client.get("/contacts/?q=²"))


def test_sort_header_links_turn_the_order_round(client, viewer_user, system):
    for name in ("Beta", "Alpha", "Gamma"):
        sales.create_product(actor=system, name=name, price="1")
    client.force_login(viewer_user)
    assert re.findall(r"(Alpha|Beta|Gamma)</a>", client.get("/products/").content.decode()) == [
        "Alpha",
        "Beta",
        "Gamma",
    ]
    page = client.get("/products/?sort=-name").content.decode()
    assert re.findall(r"(Alpha|Beta|Gamma)</a>", page) == ["Gamma", "Beta", "Alpha"]
    assert 'aria-sort="descending"' in page
    assert 'href="/products/" title="Sort by Name"' in page  # back to the default, ascending


def test_columns_dialog_lists_every_property_chosen_ones_first(client, viewer_user):  # SPEC INV-25
    client.force_login(viewer_user)
    page = client.get(
        "/invoices/columns/?cols=hs_due_date,hs_number", headers={"HX-Request": "true"}
    ).content.decode()
    labels = re.findall(r'<label class="form-check-label flex-grow-1" for="col-([a-z_]+)">', page)
    assert labels[:2] == ["hs_due_date", "hs_number"]
    assert len(labels) == len(object_types.get("invoices").properties)
    assert page.count(" checked>") == 2


def test_choosing_columns_gives_a_short_url(client, viewer_user):  # SPEC INV-25
    client.force_login(viewer_user)
    response = client.get("/invoices/?col=hs_due_date&col=hs_number&sort=hs_number")
    assert response.status_code == 302
    assert response["Location"] == "/invoices/?cols=hs_due_date%2Chs_number&sort=hs_number"


def test_filter_editor_rows_give_a_short_url(client, viewer_user):  # SPEC INV-24
    client.force_login(viewer_user)
    response = client.get(
        "/invoices/",
        {
            "f-a-group": "g1",
            "f-a-prop": "hs_invoice_status",
            "f-a-op": "any_of",
            "f-a-value": ["open", "paid"],
            "f-b-group": "g2",
            "f-b-prop": "hs_due_date",
            "f-b-op": "last_days",
            "f-b-value": "30",
            "apply": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        "/invoices/?f=0%3Ahs_invoice_status%3Aany_of%3Aopen%2Cpaid&f=1%3Ahs_due_date%3Alast_days%3A30"
    )


@pytest.mark.parametrize(
    ("prop", "op", "shows", "hides"),
    [
        ("hs_comments", "", ['aria-label="Value"'], ['type="date"']),
        ("hs_amount_billed", "between", ['aria-label="From"', 'aria-label="To"'], []),
        ("hs_due_date", "last_days", ['aria-label="Number of days"'], []),
        ("hs_due_date", "is", ['type="date"'], []),
        ("hs_invoice_status", "", ['value="draft"', ">Voided</label>"], ['aria-label="Value"']),
        ("hs_is_overdue", "", [">is true</option>"], ['aria-label="Value"']),
    ],
)
def test_a_filter_row_offers_operators_and_inputs_that_fit_the_property(
    client, viewer_user, prop, op, shows, hides
):  # SPEC INV-24
    client.force_login(viewer_user)
    page = client.get(
        "/invoices/filters/row/",
        {"row": "r1", "group": "g1", "f-r1-prop": prop, "f-r1-op": op},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f'<option value="{prop}" selected>' in page
    for text in shows:
        assert text in page
    for text in hides:
        assert text not in page
    # Computed properties without a database expression are not offered.
    assert 'value="hs_contacts"' not in page
    assert 'value="hs_payment_status"' in page


def test_an_operator_that_does_not_fit_the_new_property_falls_back_to_the_first(
    client, viewer_user
):
    client.force_login(viewer_user)
    page = client.get(
        "/invoices/filters/row/",
        {"row": "r1", "group": "g1", "f-r1-prop": "hs_invoice_status", "f-r1-op": "gt"},
    ).content.decode()
    assert '<option value="any_of" selected>is any of</option>' in page


def test_listing_many_invoices_takes_as_many_queries_as_listing_a_few(
    client, viewer_user, system, admin_user
):
    ada = crm.create_contact(actor=system, firstname="Ada", email="ada@x.io")
    acme = crm.create_company(actor=system, name="Acme")
    deal = sales.create_deal(actor=system, dealname="Big deal", contacts=[ada])
    line = {"name": "Work", "unit_price": "10"}
    columns = (
        "hs_number,hs_contacts,hs_companies,hs_line_items,hubspot_owner_id,hs_deal_id,"
        "hs_payment_status,hs_is_overdue"
    )
    client.force_login(viewer_user)

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/invoices/?cols={columns}").status_code == 200
        return len(captured)

    def add(count):
        for _ in range(count):
            invoices.create_draft_invoice(
                actor=Actor.system("t"),
                contacts=[ada],
                companies=[acme],
                deal=deal,
                owner=admin_user,
                lines=[line, line],
            )

    add(2)
    few = queries_for_page()
    add(20)
    assert queries_for_page() == few
    assert few <= 10, few


MAKERS = {
    "invoices": lambda n, system, ada, acme: invoices.finalize_invoice(
        invoices.create_draft_invoice(
            actor=system,
            contacts=[ada],
            companies=[acme],
            lines=[{"name": f"Line {n}", "unit_price": "10"}],
        ),
        actor=system,
    ),
    "payments": lambda n, system, ada, acme: payments.create_manual_payment(
        actor=system, amount="10", currency="EUR", method="cash", contact=ada
    ),
    "contacts": lambda n, system, ada, acme: crm.create_contact(actor=system, firstname=f"C{n}"),
    "companies": lambda n, system, ada, acme: crm.create_company(actor=system, name=f"Co{n}"),
    "deals": lambda n, system, ada, acme: sales.create_deal(
        actor=system, dealname=f"D{n}", contacts=[ada], lines=[{"name": "A", "unit_price": "5"}]
    ),
    "quotes": lambda n, system, ada, acme: sales.create_quote(
        actor=system,
        hs_title=f"Q{n}",
        deal=sales.create_deal(
            actor=system, dealname="D", lines=[{"name": "A", "unit_price": "5"}]
        ),
    ),
    "products": lambda n, system, ada, acme: sales.create_product(
        actor=system, name=f"P{n}", price="3"
    ),
}


@pytest.mark.parametrize("path", PAGES)
def test_every_column_of_every_type_lists_without_a_query_per_row(
    client, viewer_user, system, path
):
    ada = crm.create_contact(actor=system, firstname="Ada", email="ada@x.io")
    acme = crm.create_company(actor=system, name="Acme")
    object_type = object_type_at(path)
    assert object_type is not None
    every_column = ",".join(p.name for p in object_type.properties)
    client.force_login(viewer_user)

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/{path}/?cols={every_column}").status_code == 200
        return len(captured)

    queries_for_page()  # the first page of all creates the account settings row
    for n in range(2):
        MAKERS[path](n, system, ada, acme)
    queries_for_page()  # the first page may create the account's settings row, once
    few = queries_for_page()
    for n in range(2, 8):
        MAKERS[path](n, system, ada, acme)
    assert queries_for_page() == few


def test_phone_width_layout_uses_a_scrolling_table(client, viewer_user):
    client.force_login(viewer_user)
    assert '<div class="table-responsive">' in client.get("/invoices/").content.decode()


def test_dialogs_also_open_as_pages_of_their_own(client, editor_user):
    view = SavedView.objects.create(object_type="invoices", name="Mine", owner=editor_user)
    client.force_login(editor_user)
    for url, heading in [
        ("/invoices/columns/", "Edit columns"),
        ("/invoices/views/new/", "Save view"),
        (f"/invoices/views/{view.pk}/edit/", "Edit view &#x27;Mine&#x27;"),
        (f"/invoices/views/{view.pk}/delete/", "Delete view"),
        ("/invoices/export/", "Export invoices"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert f'<h2 class="modal-title h5">{heading}</h2>' in page, url
        assert 'data-bs-toggle="collapse" data-bs-target="#main-nav"' in page  # the full shell
