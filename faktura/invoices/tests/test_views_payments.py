"""Payments through the pages: the Record payment dialog's two tabs (INV-11), the payment record
page and deleting a payment (INV-13)."""

from decimal import Decimal

import pytest

from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import InvoicePayment, InvoiceStatus
from faktura.payments import services as payments
from faktura.payments.models import Payment

pytestmark = pytest.mark.django_db


def new_payment(**values) -> dict:
    return {"amount": "100.00", "paid_on": "2026-01-05", "method": "check", **values}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# SPEC INV-11
def test_new_payment_tab_records_a_payment_and_the_invoice_is_partially_paid(
    signed_in, editor_user, open_invoice
):
    client = signed_in(editor_user)
    dialog = client.get(f"/invoices/{open_invoice.pk}/payments/new/").content.decode()
    assert "New payment" in dialog
    assert "Use existing" in dialog
    assert 'value="250.00"' in dialog  # the balance due is proposed

    response = client.post(
        f"/invoices/{open_invoice.pk}/payments/new/",
        new_payment(reference="CHK-12", note="Paid at the desk"),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/invoices/{open_invoice.pk}/"
    payment = Payment.objects.get()
    assert (payment.amount, payment.method, payment.reference) == (Decimal(100), "check", "CHK-12")
    assert messages_of(response) == [
        "Payment of 100.00 USD recorded. Invoice INV-1 is now Partially paid, with 150.00 USD due."
    ]
    html = client.get(f"/invoices/{open_invoice.pk}/").content.decode()
    assert f'href="/payments/{payment.pk}/"' in html


# SPEC INV-11
def test_overpayment_is_refused_inside_the_dialog_and_nothing_is_recorded(
    signed_in, editor_user, open_invoice
):
    response = signed_in(editor_user).post(
        f"/invoices/{open_invoice.pk}/payments/new/",
        new_payment(amount="300.00"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200  # shown again in the dialog
    assert "is more than the balance due of 250.00 USD" in response.content.decode()
    assert not Payment.objects.exists()


# SPEC INV-23
def test_voided_invoice_dialog_says_it_takes_no_payment(
    signed_in, editor_user, open_invoice, system
):
    invoices.void_invoice(open_invoice, actor=system)
    client = signed_in(editor_user)
    dialog = client.get(f"/invoices/{open_invoice.pk}/payments/new/").content.decode()
    assert "is voided and can no longer take a payment" in dialog
    response = client.post(f"/invoices/{open_invoice.pk}/payments/new/", new_payment())
    assert response.status_code == 400
    assert not Payment.objects.exists()


@pytest.fixture
def unapplied(system, grace) -> Payment:
    return payments.create_manual_payment(
        actor=system, amount="75.00", currency="USD", contact=grace, reference="WIRE-9"
    )


# SPEC INV-11
@pytest.mark.parametrize("search", ["grace@example.com", "75", "75.00", "id"])
def test_use_existing_tab_finds_payments_by_email_amount_or_id(
    signed_in, editor_user, open_invoice, unapplied, search
):
    text = str(unapplied.pk) if search == "id" else search
    html = (
        signed_in(editor_user)
        .get(f"/invoices/{open_invoice.pk}/payments/search/", {"q": text})
        .content.decode()
    )
    assert "75.00 USD" in html
    assert "grace@example.com" in html
    assert f'aria-label="Apply payment {unapplied.pk}"' in html


def test_use_existing_tab_shows_a_payment_already_on_another_invoice_without_apply(
    signed_in, editor_user, make_invoice, open_invoice, system
):
    other = make_invoice(finalized=True)
    taken = record_invoice_payment(other, actor=system, amount="75.00")
    html = (
        signed_in(editor_user)
        .get(f"/invoices/{open_invoice.pk}/payments/search/", {"q": "75"})
        .content.decode()
    )
    assert "Applied to" in html
    assert other.number in html
    assert f"Apply payment {taken.pk}" not in html


def test_use_existing_search_without_javascript_renders_the_dialog_on_its_tab(
    signed_in, editor_user, open_invoice, unapplied
):
    html = (
        signed_in(editor_user)
        .get(f"/invoices/{open_invoice.pk}/payments/new/?tab=existing&q=grace@example.com")
        .content.decode()
    )
    assert 'id="pane-existing" role="tabpanel"' in html
    assert 'class="tab-pane fade show active" id="pane-existing"' in html
    assert f"Apply payment {unapplied.pk}" in html


# SPEC INV-11
def test_existing_payment_applied_to_the_invoice(signed_in, editor_user, open_invoice, unapplied):
    response = signed_in(editor_user).post(
        f"/invoices/{open_invoice.pk}/payments/apply/", {"payment": unapplied.pk}
    )

    assert response["Location"] == f"/invoices/{open_invoice.pk}/"
    assert InvoicePayment.objects.get().payment == unapplied
    open_invoice.refresh_from_db()
    assert open_invoice.balance_due == Decimal("175.00")
    assert "Payment" in messages_of(response)[0]
    assert "175.00 USD due" in messages_of(response)[0]


def test_applying_a_payment_in_another_currency_is_refused_in_the_dialog(
    signed_in, editor_user, open_invoice, system
):
    euros = payments.create_manual_payment(actor=system, amount="10.00", currency="EUR")
    response = signed_in(editor_user).post(
        f"/invoices/{open_invoice.pk}/payments/apply/",
        {"payment": euros.pk, "q": "10"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "is in EUR but the invoice is in USD" in response.content.decode()
    # The dialog comes back on the same tab with the same search.
    assert 'class="tab-pane fade show active" id="pane-existing"' in response.content.decode()
    assert 'value="10"' in response.content.decode()
    assert not InvoicePayment.objects.exists()


# SPEC INV-13
def test_payment_page_shows_properties_the_invoice_and_history(
    signed_in, editor_user, open_invoice, system
):
    payment = record_invoice_payment(open_invoice, actor=system, amount="100.00", reference="R-1")
    html = signed_in(editor_user).get(f"/payments/{payment.pk}/").content.decode()

    assert f"Payment {payment.pk} · 100.00 USD" in html
    assert f'href="/invoices/{open_invoice.pk}/"' in html
    assert "INV-1" in html
    assert '<dt class="col-sm-5">Reference</dt>' in html
    assert "R-1" in html
    assert "Recorded the payment" in html
    assert "System: tests" in html
    assert f'href="/payments/{payment.pk}/delete/"' in html


# SPEC INV-13
def test_deleting_an_applied_payment_returns_the_balance(
    signed_in, editor_user, open_invoice, system
):
    payment = record_invoice_payment(open_invoice, actor=system, amount="250.00")
    client = signed_in(editor_user)
    dialog = client.get(f"/payments/{payment.pk}/delete/").content.decode()
    assert "Delete record</button>" in dialog
    assert "cannot be undone" in dialog

    response = client.post(f"/payments/{payment.pk}/delete/")

    assert response["Location"] == f"/invoices/{open_invoice.pk}/"
    assert not Payment.objects.exists()
    open_invoice.refresh_from_db()
    assert (open_invoice.status, open_invoice.balance_due) == (InvoiceStatus.OPEN, Decimal(250))
    assert messages_of(response) == [
        f"Payment {payment.pk} of 250.00 USD was deleted. "
        "Invoice INV-1 is now Open, with 250.00 USD due."
    ]


def test_deleting_an_unapplied_payment_goes_back_to_the_payments(signed_in, editor_user, unapplied):
    response = signed_in(editor_user).post(f"/payments/{unapplied.pk}/delete/")
    assert response["Location"] == "/payments/"
    assert not Payment.objects.exists()


# SPEC INV-13
# SPEC INV-14
def test_online_payment_cannot_be_deleted_and_the_page_says_why(signed_in, editor_user, system):
    online, _ = payments.record_online_payment(
        actor=system, processor_payment_id="pi_9", amount="20.00", currency="USD"
    )
    client = signed_in(editor_user)
    html = client.get(f"/payments/{online.pk}/").content.decode()
    assert "was collected online and cannot be deleted. Refund it instead." in html
    assert f"/payments/{online.pk}/delete/" not in html

    response = client.post(f"/payments/{online.pk}/delete/")
    assert response.status_code == 400
    assert "Refund it instead" in response.content.decode()
    assert Payment.objects.filter(pk=online.pk).exists()
