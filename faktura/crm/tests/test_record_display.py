"""The record pages' number filters: quantities and rates as people write them."""

from decimal import Decimal

from django.template import Context, Template


def render(text: str, **values: object) -> str:
    return Template("{% load record_display %}" + text).render(Context(values))


def test_quantities_and_prices_read_without_exponents_or_trailing_zeros():
    # Decimal.normalize, used before, turned 10 into "1E+1" and 4800 into "4.8E+3".
    for stored, shown in (("10.0000", "10"), ("4800.0000", "4800"), ("2.5000", "2.5"),
                          ("8.6250", "8.625"), ("0.0000", "0")):  # fmt: skip
        assert render("{{ n|plain }}", n=Decimal(stored)) == shown
    assert render("{{ n|plain }}", n=None) == ""
