"""Line, discount and tax arithmetic, seen through the totals of invoices, deals and quotes.

SPEC INV-3: totals are exact decimals in the invoice currency. Each line is rounded to the
currency on its own (ADR 0001): discount first, then tax on the discounted amount, half away
from zero; document totals are sums of the rounded lines.
"""

from decimal import Decimal

import pytest

from faktura.core.errors import RuleViolation
from faktura.core.money import format_money
from faktura.history.models import Entry
from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import Invoice, InvoiceLine
from faktura.sales import services as sales
from faktura.sales.models import Deal
from faktura.sales.properties import DEAL, QUOTE

D = Decimal


def draft(system, contact, lines, currency="USD"):
    invoice = invoices.create_draft_invoice(
        actor=system, contacts=[contact], lines=lines, values={"hs_currency": currency}
    )
    return Invoice.objects.get(pk=invoice.pk)  # as stored, DECIMAL(18, 4) columns and all


def totals(invoice):
    return (invoice.subtotal, invoice.total_discount, invoice.total_tax, invoice.total)


def line_figures(invoice):
    return [
        (line.amount, line.discount_amount, line.tax_amount, line.total)
        for line in InvoiceLine.objects.filter(invoice=invoice)
    ]


def assert_adds_up(invoice):
    figures = line_figures(invoice)
    assert invoice.subtotal == sum((f[0] for f in figures), D(0))
    assert invoice.total_discount == sum((f[1] for f in figures), D(0))
    assert invoice.total_tax == sum((f[2] for f in figures), D(0))
    assert invoice.total == sum((f[3] for f in figures), D(0))
    assert invoice.total == invoice.subtotal - invoice.total_discount + invoice.total_tax
    assert invoice.balance_due == invoice.total - invoice.amount_paid
    for value in (*totals(invoice), invoice.amount_paid, invoice.balance_due):
        assert isinstance(value, Decimal)


# SPEC INV-3
def test_tax_is_on_discounted_amount_when_line_has_percent_discount(system, contact):
    invoice = draft(
        system,
        contact,
        [
            {
                "name": "Widget",
                "quantity": "3",
                "unit_price": "19.99",
                "discount_value": "10",
                "tax_rate": "8.625",
            }
        ],
    )
    # 59.97; 10 % = 5.997 → 6.00; tax 8.625 % of 53.97 = 4.6549125 → 4.65
    assert line_figures(invoice) == [(D("59.97"), D("6.00"), D("4.65"), D("58.62"))]
    assert totals(invoice) == (D("59.97"), D("6.00"), D("4.65"), D("58.62"))
    assert invoice.balance_due == D("58.62")
    assert_adds_up(invoice)


# SPEC INV-3
def test_fixed_discount_is_taken_off_before_tax_when_line_has_fixed_discount(system, contact):
    invoice = draft(
        system,
        contact,
        [
            {
                "name": "Consulting hour",
                "quantity": "2",
                "unit_price": "100.00",
                "discount_type": "fixed",
                "discount_value": "15.50",
                "tax_rate": "25",
            }
        ],
    )
    # 200.00 − 15.50 = 184.50; 25 % = 46.125 → 46.13
    assert totals(invoice) == (D("200.00"), D("15.50"), D("46.13"), D("230.63"))
    assert_adds_up(invoice)


# SPEC INV-3
def test_each_line_is_rounded_on_its_own_when_lines_carry_fractions_of_a_cent(system, contact):
    cheap = {"name": "Sticker", "unit_price": "0.10", "tax_rate": "25"}
    invoice = draft(system, contact, [cheap, cheap, cheap])
    # 0.025 tax per line → 0.03 each → 0.09 (tax on the 0.30 total would have been 0.08).
    assert line_figures(invoice) == [(D("0.10"), D(0), D("0.03"), D("0.13"))] * 3
    assert totals(invoice) == (D("0.30"), D(0), D("0.09"), D("0.39"))
    assert_adds_up(invoice)


@pytest.mark.parametrize(
    ("quantity", "unit_price", "amount"),
    [
        ("1", "2.345", "2.35"),  # half away from zero, not to even (2.34)
        ("1", "2.3449", "2.34"),
        ("1.5", "33.33", "50.00"),  # 49.995
        ("3", "0.3333", "1.00"),  # 0.9999
        ("0.0001", "0.0001", "0.00"),
        ("9999.9999", "12345.6789", "123456787.77"),  # 123456787.76543211, no float on the way
    ],
)
# SPEC INV-3
def test_line_amount_rounds_half_up_to_cents_when_price_has_more_decimals(
    system, contact, quantity, unit_price, amount
):
    invoice = draft(
        system, contact, [{"name": "X", "quantity": quantity, "unit_price": unit_price}]
    )
    assert totals(invoice) == (D(amount), D(0), D(0), D(amount))


# SPEC INV-3
def test_amounts_are_exact_when_many_small_lines_add_up(system, contact):
    invoice = draft(
        system, contact, [{"name": f"Item {n}", "unit_price": "0.10"} for n in range(10)]
    )
    assert invoice.total == D("1.00")  # 0.1 ten times as floats would be 0.9999999999999999
    assert str(invoice.total.quantize(D("0.01"))) == "1.00"
    assert_adds_up(invoice)


# SPEC INV-3
def test_float_price_refused_with_a_reason_when_given(system, contact):
    # ADR 0001: floats never enter; the caller is told to send text or Decimal.
    with pytest.raises(RuleViolation, match="floating-point number") as refused:
        draft(system, contact, [{"name": "X", "unit_price": 0.1, "quantity": 3}])
    assert refused.value.code == "invalid_number"
    assert not Invoice.objects.exists()


# SPEC INV-3
def test_totals_have_no_decimals_when_currency_is_jpy(system, contact, admin):
    invoice = draft(
        system,
        contact,
        [
            {"name": "Box", "quantity": "3", "unit_price": "333.5", "tax_rate": "10"},
            {"name": "Kit", "unit_price": "999", "discount_value": "15", "tax_rate": "8"},
        ],
        currency="JPY",
    )
    # 1000.5 → 1001, tax 100.1 → 100;  999 − 149.85 → 150 = 849, tax 67.92 → 68
    assert line_figures(invoice) == [
        (D(1001), D(0), D(100), D(1101)),
        (D(999), D(150), D(68), D(917)),
    ]
    assert totals(invoice) == (D(2000), D(150), D(168), D(2018))
    assert all(value == value.to_integral_value() for value in totals(invoice))
    assert format_money(invoice.total, "JPY") == "2,018 JPY"
    assert_adds_up(invoice)

    invoice = invoices.finalize_invoice(invoice, actor=admin)
    with pytest.raises(RuleViolation, match="more decimals than JPY allows") as refused:
        record_invoice_payment(invoice, actor=admin, amount="1000.50")
    assert refused.value.code == "invalid_amount"
    record_invoice_payment(invoice, actor=admin, amount="1000")
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert (invoice.amount_paid, invoice.balance_due) == (D(1000), D(1018))


# SPEC INV-3
def test_totals_have_three_decimals_when_currency_is_kwd(system, contact):
    invoice = draft(
        system,
        contact,
        [
            {"name": "Oil filter", "unit_price": "12.3456", "tax_rate": "5"},
            {
                "name": "Gasket",
                "quantity": "2",
                "unit_price": "5.0005",
                "discount_type": "fixed",
                "discount_value": "0.0015",
            },
        ],
        currency="KWD",
    )
    # 12.3456 → 12.346, tax 0.6173 → 0.617;  10.001 − 0.0015 → 0.002 = 9.999
    assert line_figures(invoice) == [
        (D("12.346"), D(0), D("0.617"), D("12.963")),
        (D("10.001"), D("0.002"), D(0), D("9.999")),
    ]
    assert totals(invoice) == (D("22.347"), D("0.002"), D("0.617"), D("22.962"))
    assert format_money(invoice.total, "KWD") == "22.962 KWD"
    assert_adds_up(invoice)


# SPEC INV-3
def test_totals_are_zero_when_line_is_fully_discounted(system, contact):
    invoice = draft(
        system,
        contact,
        [{"name": "Gift", "unit_price": "49.99", "discount_value": "100", "tax_rate": "25"}],
    )
    assert totals(invoice) == (D("49.99"), D("49.99"), D(0), D(0))
    assert invoice.balance_due == D(0)


@pytest.mark.parametrize(
    ("line", "phrase"),
    [
        (
            {
                "name": "X",
                "unit_price": "100",
                "discount_type": "fixed",
                "discount_value": "100.01",
            },
            "larger than the line amount",
        ),
        ({"name": "X", "unit_price": "100", "discount_value": "100.5"}, "between 0 and 100"),
        ({"name": "X", "unit_price": "100", "tax_rate": "-1"}, "tax rate must be between 0"),
        ({"name": "X", "unit_price": "1", "quantity": "-2"}, "more than zero"),
    ],
)
# SPEC INV-3
def test_invoice_refused_with_nothing_written_when_line_arithmetic_is_impossible(
    system, contact, line, phrase
):
    before = (Invoice.objects.count(), InvoiceLine.objects.count(), Entry.objects.count())
    with pytest.raises(RuleViolation, match=phrase):
        draft(system, contact, [line])
    assert (Invoice.objects.count(), InvoiceLine.objects.count(), Entry.objects.count()) == before


# SPEC INV-3
def test_totals_follow_lines_when_draft_lines_change(system, contact):
    invoice = draft(system, contact, [{"name": "A", "unit_price": "10.00", "tax_rate": "25"}])
    invoices.update_invoice(
        invoice,
        actor=system,
        lines=[
            {"name": "A", "unit_price": "10.00", "quantity": "4", "tax_rate": "25"},
            {"name": "B", "unit_price": "0.99", "discount_type": "fixed", "discount_value": "0.49"},
        ],
    )
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert totals(invoice) == (D("40.99"), D("0.49"), D("10.00"), D("50.50"))
    assert invoice.lines.count() == 2
    assert_adds_up(invoice)


# SPEC INV-3
def test_totals_are_rounded_again_when_draft_currency_changes(system, contact):
    invoice = draft(system, contact, [{"name": "Widget", "unit_price": "10.50", "tax_rate": "5"}])
    assert totals(invoice) == (D("10.50"), D(0), D("0.53"), D("11.03"))  # 0.525 → 0.53

    invoices.update_invoice(invoice, actor=system, values={"hs_currency": "jpy"})
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.currency == "JPY"
    assert totals(invoice) == (D(11), D(0), D(1), D(12))  # 10.5 → 11, 0.55 → 1

    invoices.update_invoice(invoice, actor=system, values={"hs_currency": "KWD"})
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert totals(invoice) == (D("10.500"), D(0), D("0.525"), D("11.025"))


# SPEC INV-3
def test_invoice_total_equals_deal_and_quote_amount_when_created_from_them(system, contact):
    lines = [
        {"name": "Licence", "unit_price": "1200.00", "tax_rate": "8.625"},
        {"name": "Seats", "quantity": "7", "unit_price": "13.37", "discount_value": "12.5"},
        {
            "name": "Setup",
            "unit_price": "250",
            "discount_type": "fixed",
            "discount_value": "0.01",
            "tax_rate": "25",
        },
    ]
    deal = sales.create_deal(actor=system, dealname="Renewal", contacts=[contact], lines=lines)
    deal = Deal.objects.get(pk=deal.pk)
    quote = sales.create_quote(actor=system, hs_title="Renewal quote", deal=deal)

    from_deal = invoices.create_invoice_from_deal(deal, actor=system)
    from_quote = invoices.create_invoice_from_quote(quote, actor=system)

    # 1200 + 103.50;  93.59 − 11.70 (11.69875);  249.99 + 62.50 (62.4975)
    expected = D("1303.50") + D("81.89") + D("312.49")
    assert DEAL.property("amount").read(deal) == expected
    assert QUOTE.property("hs_quote_amount").read(quote) == expected
    assert from_deal.total == from_quote.total == expected == D("1697.88")
    assert totals(Invoice.objects.get(pk=from_deal.pk)) == (
        D("1543.59"),
        D("11.71"),
        D("166.00"),
        D("1697.88"),
    )
