"""Product, deal and quote pages through Django's test client: create, edit, associations,
invoices from a deal or quote, and what a view-only user may do."""

from decimal import Decimal

import pytest

from faktura.history.models import Entry
from faktura.invoices.models import Invoice
from faktura.sales import services as sales
from faktura.sales.models import Deal, Product, Quote

pytestmark = pytest.mark.django_db


def deal_post(**fields: str) -> dict[str, str]:
    """A new-deal form: no lines unless given as lines-0-name=… keys."""
    data = {
        "dealname": "Lighthouse retrofit",
        "dealstage": "qualifiedtobuy",
        "closedate": "",
        "deal_currency_code": "EUR",
        "hubspot_owner_id": "",
        "contact": "",
        "company": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
    }
    return data | PERCENT_DISCOUNTS | fields


# What the browser sends for each row's discount-type select.
PERCENT_DISCOUNTS = {f"lines-{n}-discount_type": "percent" for n in range(3)}


def test_product_created_and_edited_through_the_form(signed_in, editor_user):
    client = signed_in(editor_user)
    answer = client.post(
        "/products/new/",
        {"name": "Lens polishing", "hs_sku": "LP-1", "price": "45.50", "hs_tax_rate": "24"},
    )
    product = Product.objects.get()
    assert answer.status_code == 302
    assert answer.url == f"/products/{product.pk}/"
    assert (product.unit_price, product.tax_rate) == (Decimal("45.50"), Decimal("24"))
    client.post(
        f"/products/{product.pk}/edit/",
        {"name": "Lens polishing", "hs_sku": "LP-1", "price": "50", "hs_tax_rate": "24"},
    )
    product.refresh_from_db()
    assert product.unit_price == Decimal("50")
    page = client.get(f"/products/{product.pk}/").content.decode()
    assert "Lens polishing" in page
    assert "Unit price: 45.5 → 50" in page.replace("&gt;", ">")


def test_product_without_a_name_is_refused_beside_the_form(signed_in, editor_user):
    answer = signed_in(editor_user).post("/products/new/", {"name": "", "price": "5"})
    assert answer.status_code == 200
    assert "This field is required." in answer.content.decode()
    assert not Product.objects.exists()


def test_deal_created_with_contact_company_and_lines(
    signed_in, editor_user, contact, company, product
):
    client = signed_in(editor_user)
    answer = client.post(
        "/deals/new/",
        deal_post(
            contact=str(contact.pk),
            company=str(company.pk),
            **{
                "lines-TOTAL_FORMS": "2",
                "lines-0-product": str(product.pk),
                "lines-0-quantity": "2",
                "lines-1-name": "Installation",
                "lines-1-unit_price": "300",
                "lines-1-quantity": "1",
                "lines-1-discount_value": "10",
                "lines-1-discount_type": "percent",
            },
        ),
    )
    deal = Deal.objects.get()
    assert answer.status_code == 302
    assert answer.url == f"/deals/{deal.pk}/"
    assert deal.currency == "EUR"
    assert list(deal.contacts.all()) == [contact]
    assert list(deal.companies.all()) == [company]
    lines = list(deal.line_items.all())
    # The product filled in its name, price and tax rate.
    assert [(li.name, li.unit_price, li.tax_rate) for li in lines] == [
        ("Support plan", Decimal("80.00"), Decimal("10")),
        ("Installation", Decimal("300"), Decimal("0")),
    ]
    page = client.get(answer.url).content.decode()
    # 2 × 80 + 10 % tax = 176, plus 300 − 10 % = 270: 446.
    assert "Support plan" in page
    assert "Installation" in page
    assert "446.00" in page
    assert "Primary" in page
    assert str(contact) in page
    assert str(company) in page


def test_deal_with_a_bad_line_is_refused_and_nothing_is_written(signed_in, editor_user):
    answer = signed_in(editor_user).post(
        "/deals/new/",
        deal_post(**{"lines-0-name": "Refund", "lines-0-unit_price": "-5"}),
    )
    assert answer.status_code == 400
    assert "the unit price cannot be negative" in answer.content.decode()
    assert not Deal.objects.exists()


def test_add_line_button_without_javascript_keeps_what_was_typed(signed_in, editor_user):
    answer = signed_in(editor_user).post(
        "/deals/new/", deal_post(add_line="1", **{"lines-0-name": "Survey"})
    )
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'value="Survey"' in page
    assert 'name="lines-1-name"' in page
    assert not Deal.objects.exists()


def test_deal_edit_replaces_its_lines_and_logs_the_change(signed_in, editor_user, deal):
    client = signed_in(editor_user)
    answer = client.post(
        f"/deals/{deal.pk}/edit/",
        {
            "dealname": deal.name,
            "dealstage": "closedwon",
            "deal_currency_code": "USD",
            "amount": str(deal.amount),  # as the form shows it: left alone, it follows the lines
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "2",
            "lines-0-name": "Gear set",
            "lines-0-unit_price": "120",
            "lines-0-quantity": "4",
            "lines-1-name": "Assembly",
            "lines-1-unit_price": "60",
            "lines-1-DELETE": "on",
        }
        | PERCENT_DISCOUNTS,
    )
    assert answer.status_code == 302
    deal.refresh_from_db()
    assert deal.stage == "closedwon"
    assert [(li.name, li.quantity) for li in deal.line_items.all()] == [("Gear set", 4)]
    page = client.get(deal.get_absolute_url()).content.decode()
    assert "Deal stage: Appointment scheduled → Closed won" in page.replace("&gt;", ">")
    assert "Line items: 3 × Gear set" in page
    # 3 × 120 + (60 + 25 % tax) = 435 before, 4 × 120 after, recorded with the lines.
    assert deal.amount == Decimal("480.00")
    assert "Amount: 435.00 USD → 480.00 USD" in page.replace("&gt;", ">")


def test_deal_contacts_added_and_removed_with_history(signed_in, editor_user, deal, grace):
    client = signed_in(editor_user)
    client.post(f"/deals/{deal.pk}/contacts/add/", {"contact": grace.pk})
    assert list(deal.contacts_in_order()) == [deal.contacts_in_order()[0], grace]
    client.post(f"/deals/{deal.pk}/contacts/{grace.pk}/remove/")
    assert grace not in deal.contacts.all()
    events = Entry.objects.for_object("deal", deal.pk).values_list("event_type", flat=True)
    assert {"deal.association_added", "deal.association_removed"} <= set(events)


def test_quote_from_deal_starts_with_its_lines_contacts_and_companies(signed_in, editor_user, deal):
    client = signed_in(editor_user)
    form = client.get(f"/quotes/new/?deal={deal.pk}").content.decode()
    assert 'value="Difference engine"' in form
    assert 'value="Gear set"' in form
    answer = client.post(
        f"/quotes/new/?deal={deal.pk}",
        {
            "hs_title": "Engine quote",
            "hs_status": "DRAFT",
            "hs_currency": "USD",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-name": "Gear set",
            "lines-0-unit_price": "110",
            "lines-0-quantity": "3",
        }
        | PERCENT_DISCOUNTS,
    )
    quote = Quote.objects.get()
    assert answer.url == f"/quotes/{quote.pk}/"
    assert quote.deal == deal
    assert list(quote.contacts.all()) == list(deal.contacts.all())
    assert list(quote.companies.all()) == list(deal.companies.all())
    assert [(li.name, li.unit_price) for li in quote.line_items.all()] == [
        ("Gear set", Decimal("110"))
    ]


def test_invoice_created_from_the_deal_page_button(signed_in, editor_user, deal):
    client = signed_in(editor_user)
    page = client.get(deal.get_absolute_url()).content.decode()
    assert f'action="/invoices/from-deal/{deal.pk}/"' in page
    answer = client.post(f"/invoices/from-deal/{deal.pk}/")
    invoice = Invoice.objects.get()
    assert answer.url == invoice.get_absolute_url()
    assert [line.name for line in invoice.lines.all()] == ["Gear set", "Assembly"]
    # The deal's page lists it.
    assert str(invoice) in client.get(deal.get_absolute_url()).content.decode()


def test_quote_page_offers_an_invoice_and_lists_the_deal(signed_in, editor_user, quote):
    page = signed_in(editor_user).get(quote.get_absolute_url()).content.decode()
    assert f'action="/invoices/from-quote/{quote.pk}/"' in page
    assert quote.deal.get_absolute_url() in page


def write_urls(product, deal, quote, contact, company) -> list[tuple[str, str]]:
    urls = [
        ("get", "/products/new/"),
        ("post", "/products/new/"),
        ("get", f"/products/{product.pk}/edit/"),
        ("post", f"/products/{product.pk}/edit/"),
    ]
    for kind, record in (("deals", deal), ("quotes", quote)):
        urls += [
            ("get", f"/{kind}/new/"),
            ("post", f"/{kind}/new/"),
            ("get", f"/{kind}/{record.pk}/edit/"),
            ("post", f"/{kind}/{record.pk}/edit/"),
            ("get", f"/{kind}/{record.pk}/contacts/add/"),
            ("post", f"/{kind}/{record.pk}/contacts/add/"),
            ("post", f"/{kind}/{record.pk}/contacts/{contact.pk}/remove/"),
            ("get", f"/{kind}/{record.pk}/companies/add/"),
            ("post", f"/{kind}/{record.pk}/companies/add/"),
            ("post", f"/{kind}/{record.pk}/companies/{company.pk}/remove/"),
        ]
    return urls


def test_viewer_gets_403_on_every_write_url_and_nothing_changes(
    signed_in, viewer_user, product, deal, quote, contact, company
):
    client = signed_in(viewer_user)
    entries = Entry.objects.count()
    for method, url in write_urls(product, deal, quote, contact, company):
        answer = getattr(client, method)(url, {"contact": contact.pk, "company": company.pk})
        assert answer.status_code == 403, (method, url)
        assert "view-only" in answer.content.decode(), (method, url)
    assert Entry.objects.count() == entries
    assert list(deal.contacts.all()) == [contact]


def test_viewer_reads_the_pages_without_write_controls(
    signed_in, viewer_user, product, deal, quote
):
    client = signed_in(viewer_user)
    for record in (product, deal, quote):
        answer = client.get(record.get_absolute_url())
        page = answer.content.decode()
        assert answer.status_code == 200
        assert str(record) in page
        assert "/edit/" not in page
        assert "Create invoice" not in page
        assert "/add/" not in page


@pytest.mark.parametrize("path", ["/products/999999/", "/deals/999999/", "/quotes/999999/"])
def test_unknown_record_is_a_404(signed_in, editor_user, path):
    assert signed_in(editor_user).get(path).status_code == 404


def test_a_line_amount_means_quantity_times_price_on_deals_as_on_invoices(
    signed_in, editor_user, system
):
    deal = sales.create_deal(
        actor=system,
        dealname="Gears",
        lines=[
            {
                "name": "Gear set",
                "unit_price": "120.00",
                "quantity": "3",
                "discount_type": "percent",
                "discount_value": "10",
                "tax_rate": "25",
            }
        ],
    )
    html = signed_in(editor_user).get(f"/deals/{deal.pk}/").content.decode()
    row = html[html.index("Gear set") : html.index("</tr>", html.index("Gear set"))]
    assert "360.00 USD" in row  # 3 × 120, before the discount and the tax
    assert "405.00 USD" not in row  # the line's total belongs in the totals below
    assert "405.00 USD" in html
