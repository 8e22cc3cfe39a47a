"""The quick search finds a record by what a person remembers of it: an invoice by its contacts'
names and email, its companies' names, its total or balance due typed in the person's locale;
deals by their contacts, payments by their amount; each record once."""

from dataclasses import replace

import pytest
from django.http import QueryDict

from faktura.core.properties import object_types
from faktura.crm import services as crm
from faktura.invoices import invoice_payments
from faktura.listings import queries
from faktura.listings.state import state_from_query
from faktura.listings.tests.querying import listed

pytestmark = pytest.mark.django_db


def one_line(price):
    return {"name": "Work", "unit_price": price, "quantity": "1"}


@pytest.fixture
def billed(system, make_invoice, contact, company, grace):
    """Ada Lovelace's invoice to Analytical Engines: 250.00, 50.00 paid, 200.00 due; Grace
    Hopper's invoice: 1,000.50; one to Ada Byron and Max Lovelace together: 300.00; and
    Grace's draft: 99.00."""
    ada = make_invoice(finalized=True, contacts=[contact], companies=[company])
    invoice_payments.record_invoice_payment(ada, actor=system, amount="50")
    hopper = make_invoice(
        finalized=True,
        contacts=[grace],
        lines=[one_line("1000.50")],
    )
    byron = crm.create_contact(actor=system, firstname="Ada", lastname="Byron", email="b@y.test")
    max_ = crm.create_contact(actor=system, firstname="Max", lastname="Lovelace")
    pair = make_invoice(finalized=True, contacts=[byron, max_], lines=[one_line("300")])
    draft = make_invoice(
        contacts=[grace], lines=[one_line("99")], values={"hs_purchase_order_number": "PO-77"}
    )
    return {"ada": ada.pk, "hopper": hopper.pk, "pair": pair.pk, "draft": draft.pk}


def found(text, locale="en-US"):
    state = state_from_query(object_types.get("invoices"), QueryDict(mutable=True), locale=locale)
    return sorted(queries.matching(replace(state, search=text)).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("text", "names"),
    [
        pytest.param("ada", ["ada", "pair"], id="a contact's first name, any case"),
        pytest.param("Ada Lovelace", ["ada"], id="first and last name of one contact"),
        pytest.param("lovelace ADA", ["ada"], id="the name the other way round"),
        pytest.param("ada@example", ["ada"], id="a contact's email"),
        pytest.param("analytical engines", ["ada"], id="a company's name"),
        pytest.param("250", ["ada"], id="the total"),
        pytest.param("200.00", ["ada"], id="the balance due"),
        pytest.param("1000.50", ["hopper"], id="an amount with decimals"),
        pytest.param("hopper", ["draft", "hopper"], id="a draft by its contact"),
        pytest.param("po-77", ["draft"], id="still the purchase order number"),
        pytest.param("1e3", [], id="exponents are no amounts"),
    ],
)
def test_invoices_are_found_by_their_contacts_companies_and_amounts(billed, text, names):
    assert found(text) == sorted(billed[name] for name in names)


def test_an_amount_is_read_in_the_persons_locale(billed):  # SPEC DOC-4
    assert found("1 000,50", locale="nb-NO") == [billed["hopper"]]
    assert found("1000,50", locale="fi-FI") == [billed["hopper"]]
    assert found("1,000.50", locale="en-US") == [billed["hopper"]]
    assert found("1000.50", locale="nb-NO") == [billed["hopper"]]  # the machine form anywhere
    # In English "1 000,50" is no amount: nothing has that text either.
    assert found("1 000,50", locale="en-US") == []


def test_an_invoice_found_through_several_contacts_is_listed_and_counted_once(billed):
    state = replace(state_from_query(object_types.get("invoices"), QueryDict("size=1")), search="a")
    pages, seen = [], state
    while True:
        page = queries.page(seen)
        pages += [r.pk for r in page.rows]
        if not page.next_cursor:
            break
        seen = replace(seen, after=page.next_cursor)
    assert sorted(pages) == sorted(set(pages)) == sorted(billed.values())
    assert queries.count(state) == (4, False)


def test_the_index_page_reads_a_typed_amount_in_the_users_locale(
    client, viewer_user, billed, account
):  # SPEC DOC-4
    client.force_login(viewer_user)
    viewer_user.locale = "nb-NO"
    viewer_user.save(update_fields=["locale"])
    page = client.get("/invoices/", {"q": "1 000,50"}).content.decode()
    assert "1 invoice" in page
    assert f'href="/invoices/{billed["hopper"]}/"' in page

    viewer_user.locale = ""  # the account's invoice locale then
    viewer_user.save(update_fields=["locale"])
    account(invoice_locale="fi-FI")
    assert "1 invoice" in client.get("/invoices/", {"q": "1000,50"}).content.decode()


def test_deals_are_found_by_their_contacts_and_companies(deal, system):
    crm.create_company(actor=system, name="Unrelated Ltd")
    assert listed("deals", q="Ada Lovelace") == [deal.pk]
    assert listed("deals", q="engines ltd") == [deal.pk]
    assert listed("deals", q="Grace") == []


def test_payments_are_found_by_their_amount_and_contact(billed, grace):
    ada_payment = listed("commerce_payments", q="50")
    assert len(ada_payment) == 1
    assert listed("commerce_payments", q="Lovelace") == ada_payment
    assert listed("commerce_payments", q="51") == []


def test_contacts_are_found_by_their_companys_name(system, contact, company, grace):
    crm.associate_contact_with_company(contact, company, actor=system)
    assert listed("contacts", q="analytical") == [contact.pk]


# SPEC DOC-1
def test_invoices_are_found_by_their_buyer_as_issued(make_invoice, system, contact):
    issued = make_invoice(finalized=True)
    crm.update_contact(contact, actor=system, values={"firstname": "Augusta", "lastname": "King"})
    assert found("Ada Lovelace") == [issued.pk]  # the name it was issued to
    assert found("Augusta") == [issued.pk]  # the contact as it is now
