"""Amounts typed and shown in the person's locale, and dates inside the window Faktura accepts,
through the pages (DOC-4): the Record payment dialog and its search, the edit forms, the index
page's money columns and filters, the side panel."""

from decimal import Decimal

import pytest

from faktura.core.dates import latest_date
from faktura.history.models import Entry
from faktura.payments import services as payments
from faktura.payments.models import Payment
from faktura.sales import services as sales
from faktura.sales.models import Deal, Product
from tests.forms import form_as_shown

pytestmark = pytest.mark.django_db

NB = "\xa0"  # Norwegian groups digits with a no-break space when it writes an amount
BIG_LINE = {"name": "Licence", "unit_price": "10000", "quantity": "1"}


@pytest.fixture
def nb_editor(editor_user):
    editor_user.locale = "nb-NO"
    editor_user.save(update_fields=["locale"])
    return editor_user


@pytest.fixture
def nok_invoice(make_invoice):
    """An open invoice of 10 000,00 NOK."""
    return make_invoice(finalized=True, lines=[BIG_LINE], values={"hs_currency": "NOK"})


def record(client, invoice, amount: str, paid_on: str = "2026-01-05"):
    return client.post(
        f"/invoices/{invoice.pk}/payments/new/",
        {"amount": amount, "paid_on": paid_on, "method": "wire_transfer"},
    )


# --- the Record payment dialog ---------------------------------------------------------------


# SPEC DOC-4
def test_norwegian_user_records_5_000_and_1_000_50_in_the_payment_dialog(
    signed_in, nb_editor, nok_invoice
):
    client = signed_in(nb_editor)
    dialog = client.get(f"/invoices/{nok_invoice.pk}/payments/new/").content.decode()
    assert 'value="10 000,00"' in dialog  # the balance due, as a Norwegian types it

    assert record(client, nok_invoice, "5 000").status_code == 302
    answer = record(client, nok_invoice, "1 000,50")

    assert answer.status_code == 302
    assert [p.amount for p in Payment.objects.order_by("id")] == [Decimal(5000), Decimal("1000.50")]
    nok_invoice.refresh_from_db()
    assert nok_invoice.balance_due == Decimal("3999.50")
    shown = [str(m) for m in answer.wsgi_request._messages]
    assert shown[-1] == (
        f"Payment of 1{NB}000,50 NOK recorded. Invoice INV-1 is now Partially paid, with "
        f"3{NB}999,50 NOK due."
    )
    panel = client.get(f"/invoices/{nok_invoice.pk}/").content.decode()
    assert f"5{NB}000,00 NOK" in panel  # the Payments section
    assert f"1{NB}000,50 NOK" in panel


# SPEC DOC-4
def test_the_accounts_locale_applies_to_a_user_without_one_of_their_own(
    signed_in, editor_user, account, make_invoice
):
    account(invoice_locale="fi-FI")
    invoice = make_invoice(finalized=True, lines=[BIG_LINE], values={"hs_currency": "EUR"})
    assert record(signed_in(editor_user), invoice, "1 000,50").status_code == 302
    assert Payment.objects.get().amount == Decimal("1000.50")


# SPEC DOC-4
def test_english_user_still_records_1_000_50_with_a_comma_group(
    signed_in, editor_user, make_invoice
):
    invoice = make_invoice(finalized=True, lines=[BIG_LINE])
    answer = record(signed_in(editor_user), invoice, "1,000.50")
    assert answer.status_code == 302
    assert Payment.objects.get().amount == Decimal("1000.50")


# SPEC DOC-4
@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1e3", "Amount (NOK) '1e3' uses exponent notation, which amounts do not accept."),
        ("1.000", "Amount (NOK) '1.000' is ambiguous."),
        ("ti", "Amount (NOK) 'ti' is not a number."),
    ],
)
def test_an_amount_that_cannot_be_read_is_refused_beside_the_field_with_the_format(
    signed_in, nb_editor, nok_invoice, typed, reason
):
    answer = record(signed_in(nb_editor), nok_invoice, typed)

    assert answer.status_code == 400  # the dialog again, as a page of its own
    html = answer.content.decode().replace("&#x27;", "'")
    expected = f"{reason} Write it as Norwegian Bokmål (Norway) does, e.g. 1 234,50."
    assert f'<div class="invalid-feedback d-block">{expected}</div>' in html
    assert f'value="{typed}"' in html  # kept as typed
    assert not Payment.objects.exists()


# SPEC DOC-4
def test_a_payment_dated_1900_is_refused_beside_the_date_with_the_window(
    signed_in, nb_editor, nok_invoice
):
    answer = record(signed_in(nb_editor), nok_invoice, "100", paid_on="1900-01-01")

    html = answer.content.decode()
    assert (
        "Payment date 1900-01-01 is outside the dates Faktura accepts "
        f"(2000-01-01 to {latest_date().isoformat()}). Check the year."
    ) in html
    assert not Payment.objects.exists()


# SPEC DOC-4
def test_payments_are_found_by_an_amount_written_in_norwegian(
    signed_in, nb_editor, nok_invoice, system
):
    wanted = payments.create_manual_payment(actor=system, amount="1000.50", currency="NOK")
    payments.create_manual_payment(actor=system, amount="100050", currency="NOK")
    client = signed_in(nb_editor)

    for typed in ("1 000,50", "1000,50", "1000.50"):
        html = client.get(
            f"/invoices/{nok_invoice.pk}/payments/search/", {"q": typed}
        ).content.decode()
        assert f'aria-label="Apply payment {wanted.pk}"' in html, typed
        assert html.count("Apply payment") == 1
        assert f"1{NB}000,50 NOK" in html


# --- edit forms read back what they show --------------------------------------------------------


# SPEC DOC-4
def test_a_deal_edit_form_shows_norwegian_numbers_and_reads_them_back_unchanged(
    signed_in, nb_editor, system
):
    deal = sales.create_deal(
        actor=system,
        dealname="Fyr",
        deal_currency_code="NOK",
        lines=[
            {"name": "Lykt", "unit_price": "1000.50", "quantity": "2", "tax_rate": "8.625"},
            {"name": "Rabatt", "unit_price": "12345.6789", "quantity": "1.5",
             "discount_type": "fixed", "discount_value": "100"},
        ],
    )  # fmt: skip
    lines_before = list(deal.line_items.values_list("unit_price", "quantity", "tax_rate"))
    entries_before = Entry.objects.count()
    client = signed_in(nb_editor)

    html = client.get(f"/deals/{deal.pk}/edit/").content.decode()
    shown = form_as_shown(html)
    assert shown["lines-0-unit_price"] == "1 000,50"
    assert (shown["lines-0-quantity"], shown["lines-0-tax_rate"]) == ("2", "8,625")
    assert (shown["lines-1-unit_price"], shown["lines-1-quantity"]) == ("12 345,6789", "1,5")
    assert shown["lines-1-discount_value"] == "100"

    assert client.post(f"/deals/{deal.pk}/edit/", shown).status_code == 302

    deal = Deal.objects.get(pk=deal.pk)
    lines = list(deal.line_items.values_list("unit_price", "quantity", "tax_rate"))
    assert lines == lines_before
    assert Entry.objects.count() == entries_before  # nothing changed, nothing logged


# SPEC DOC-4
def test_a_product_price_typed_in_norwegian_is_stored_exactly_and_shown_back(signed_in, nb_editor):
    client = signed_in(nb_editor)
    typed = {"name": "Lykt", "price": "1 000,50", "hs_tax_rate": "25"}
    answer = client.post("/products/new/", typed)
    assert answer.status_code == 302
    product = Product.objects.get()
    assert product.unit_price == Decimal("1000.50")

    shown = form_as_shown(client.get(f"/products/{product.pk}/edit/").content.decode())
    assert shown["price"] == "1 000,50"
    assert client.post(f"/products/{product.pk}/edit/", shown).status_code == 302
    assert Product.objects.get().unit_price == Decimal("1000.50")

    refused = client.post(f"/products/{product.pk}/edit/", shown | {"price": "1e3"})
    assert refused.status_code == 200  # the form again
    assert "exponent notation" in refused.content.decode()
    assert Product.objects.get().unit_price == Decimal("1000.50")


# SPEC DOC-4
def test_an_invoice_date_in_1900_is_refused_beside_the_field(signed_in, nb_editor, draft_invoice):
    client = signed_in(nb_editor)
    shown = form_as_shown(client.get(f"/invoices/{draft_invoice.pk}/edit/").content.decode())
    answer = client.post(
        f"/invoices/{draft_invoice.pk}/edit/", shown | {"invoice_date": "1900-01-01"}
    )
    assert answer.status_code == 400
    assert "Invoice date 1900-01-01 is outside the dates Faktura accepts" in answer.content.decode()
    draft_invoice.refresh_from_db()
    assert draft_invoice.invoice_date.year > 2000


# --- index pages -------------------------------------------------------------------------------


# SPEC DOC-4
def test_the_invoice_index_shows_money_columns_in_the_users_locale(
    signed_in, nb_editor, editor_user, nok_invoice
):
    html = signed_in(nb_editor).get("/invoices/").content.decode()
    assert f"10{NB}000,00 NOK" in html


# SPEC DOC-4
def test_a_money_filter_typed_in_norwegian_filters_and_links_with_the_canonical_number(
    signed_in, nb_editor, make_invoice
):
    small = make_invoice(finalized=True)  # 250,00 USD
    big = make_invoice(finalized=True, lines=[{**BIG_LINE, "unit_price": "5000.50"}])
    client = signed_in(nb_editor)
    typed = {"f-a-group": "0", "f-a-prop": "hs_amount_billed", "f-a-op": "gt", "f-a-value": "5 000"}

    answer = client.get("/invoices/", typed)

    assert answer.status_code == 302
    assert "f=0%3Ahs_amount_billed%3Agt%3A5000" in answer["Location"]  # shareable
    page = client.get(answer["Location"]).content.decode()
    assert f'href="/invoices/{big.pk}/"' in page
    assert f'href="/invoices/{small.pk}/"' not in page
    assert 'value="5 000"' in page  # the editor shows it back in the person's locale
    assert "Total is greater than 5 000" in page

    between = client.get(
        "/invoices/",
        {"f-a-group": "0", "f-a-prop": "hs_amount_billed", "f-a-op": "between",
         "f-a-value": ["5 000,50", "6 000"]},
    )  # fmt: skip
    assert "f=0%3Ahs_amount_billed%3Abetween%3A5000.5%2C6000" in between["Location"]


# SPEC DOC-4
def test_a_filter_value_that_cannot_be_read_stays_as_typed_with_the_format(signed_in, nb_editor):
    answer = signed_in(nb_editor).get(
        "/invoices/",
        {"f-a-group": "0", "f-a-prop": "hs_amount_billed", "f-a-op": "gt", "f-a-value": "1e3"},
    )
    assert answer.status_code == 400
    html = answer.content.decode().replace("&#x27;", "'")
    assert "Total '1e3' uses exponent notation" in html
    assert "e.g. 1 234,50" in html
    assert 'value="1e3"' in html


# SPEC DOC-4
def test_exponents_in_the_address_are_not_numbers(signed_in, editor_user):
    answer = signed_in(editor_user).get("/invoices/", {"f": "0:hs_amount_billed:gt:1e3"})
    assert answer.status_code == 400
    assert "is not a number" in answer.content.decode()
