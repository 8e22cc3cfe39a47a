"""A Norwegian user in Chromium types amounts as Norwegians write them (DOC-4)."""

import pytest
from playwright.sync_api import expect

from faktura.invoices.tests.browsing import actions
from faktura.payments.models import Payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# SPEC DOC-4
def test_norwegian_user_records_5_000_in_the_payment_dialog(
    sign_in, live_server, editor_user, make_invoice
):
    editor_user.locale = "nb-NO"
    editor_user.save(update_fields=["locale"])
    invoice = make_invoice(
        finalized=True,
        lines=[{"name": "Licence", "unit_price": "10000", "quantity": "1"}],
        values={"hs_currency": "NOK"},
    )
    page = sign_in(editor_user)
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")

    actions(page).get_by_role("link", name="Record payment").click()
    dialog = page.locator("#dialog")
    amount = dialog.get_by_label("Amount (NOK)")
    expect(amount).to_have_value("10 000,00")

    amount.fill("1e3")
    dialog.get_by_role("button", name="Record payment").click()
    expect(dialog).to_contain_text(
        "Amount (NOK) '1e3' uses exponent notation, which amounts do not accept. "
        "Write it as Norwegian Bokmål (Norway) does, e.g. 1 234,50."
    )
    assert not Payment.objects.exists()

    dialog.get_by_label("Amount (NOK)").fill("5 000")
    dialog.get_by_role("button", name="Record payment").click()

    expect(page.get_by_role("alert")).to_contain_text("Payment of 5\xa0000,00 NOK recorded.")
    payments_panel = page.locator("section", has=page.get_by_role("heading", name="Payments"))
    expect(payments_panel).to_contain_text("5\xa0000,00 NOK")
    assert [p.amount for p in Payment.objects.all()] == [5000]
