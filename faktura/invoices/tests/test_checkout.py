"""The buyer's checkout against edits of the invoice, one step after the other (SPEC INV-9).

The concurrent race is proven elsewhere; here each ordering is played out in sequence.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.history.models import Entry
from faktura.history.queries import edit_log
from faktura.invoices import checkout
from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import (
    Checkout,
    CheckoutStatus,
    Invoice,
    InvoiceLine,
    InvoicePayment,
    InvoiceStatus,
)
from faktura.payments.models import Payment

LINE = {"name": "Consulting hour", "unit_price": "100.00", "quantity": "2", "tax_rate": "25"}
THREE = {**LINE, "quantity": "3"}
BUYER = Actor.api(None, "Buyer checkout")


def stored(invoice):
    """Everything a refused step must leave untouched."""
    return {
        "invoice": Invoice.objects.filter(pk=invoice.pk).values().get(),
        "lines": list(InvoiceLine.objects.filter(invoice=invoice).values()),
        "checkouts": list(Checkout.objects.filter(invoice=invoice).order_by("pk").values()),
        "applied": InvoicePayment.objects.count(),
        "payments": Payment.objects.count(),
        "history": Entry.objects.count(),
    }


def complete(started, processor_id="pi_1", amount=None):
    return checkout.complete_checkout(
        started.token,
        actor=BUYER,
        processor_payment_id=processor_id,
        amount=started.amount if amount is None else amount,
        fees=Decimal("7.55"),
    )


@pytest.fixture
def editing_on(account):
    account(allow_editing_finalized_invoices=True)


# SPEC INV-9
def test_checkout_fixes_balance_due_when_started(open_invoice):
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    assert started.status == CheckoutStatus.OPEN
    assert (started.amount, started.currency) == (Decimal("250.00"), "USD")
    assert len(started.token) >= 40
    assert started.expires_at > timezone.now()
    assert edit_log(open_invoice).filter(event_type="invoice.checkout_started").exists()


# SPEC INV-9
def test_payment_applied_when_checkout_completes_without_edit(open_invoice, contact):
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    payment = complete(started)

    invoice = Invoice.objects.get(pk=open_invoice.pk)
    assert invoice.status == InvoiceStatus.PAID
    assert (invoice.amount_paid, invoice.balance_due) == (Decimal("250.00"), Decimal(0))
    assert (payment.amount, payment.processor_payment_id) == (Decimal("250.00"), "pi_1")
    assert payment.fees_amount == Decimal("7.55")
    assert payment.contact == contact
    started.refresh_from_db()
    assert (started.status, started.payment) == (CheckoutStatus.COMPLETED, payment)


@pytest.mark.parametrize("who", ["admin", "editor"])
# SPEC INV-9
def test_open_checkout_cancelled_when_invoice_edit_is_saved(request, who, open_invoice, editing_on):
    actor = request.getfixturevalue(who)
    started = checkout.start_checkout(open_invoice, actor=BUYER)

    edit = invoices.update_invoice(open_invoice, actor=actor, lines=[THREE])

    assert edit.cancelled_checkouts == 1
    started.refresh_from_db()
    assert started.status == CheckoutStatus.CANCELLED
    assert started.closed_reason == "The invoice was edited."
    assert started.closed_at is not None
    event = edit_log(open_invoice).filter(event_type="invoice.edited_after_finalization").get()
    assert event.data["cancelled_checkouts"] == 1


# SPEC INV-9
def test_every_open_checkout_cancelled_when_edit_changes_only_a_comment(
    admin, open_invoice, editing_on
):
    first = checkout.start_checkout(open_invoice, actor=BUYER)
    second = checkout.start_checkout(open_invoice, actor=BUYER)

    edit = invoices.update_invoice(open_invoice, actor=admin, values={"hs_comments": "New note"})

    assert edit.cancelled_checkouts == 2
    statuses = Checkout.objects.filter(pk__in=[first.pk, second.pk]).values_list(
        "status", flat=True
    )
    assert set(statuses) == {CheckoutStatus.CANCELLED}


# SPEC INV-9
def test_completion_refused_with_nothing_written_when_edit_cancelled_the_checkout(
    admin, open_invoice, editing_on
):
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    invoices.update_invoice(open_invoice, actor=admin, lines=[THREE])
    before = stored(open_invoice)

    with pytest.raises(RuleViolation, match="The invoice was edited") as refused:
        complete(started, amount="250.00")

    assert refused.value.code == "checkout_closed"
    assert "cancelled; start again to pay the invoice's current amount" in refused.value.reason
    assert stored(open_invoice) == before
    invoice = Invoice.objects.get(pk=open_invoice.pk)
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.OPEN, Decimal(0))
    assert not Payment.objects.filter(processor_payment_id="pi_1").exists()


# SPEC INV-9
def test_buyer_pays_new_amount_when_starting_again_after_edit(admin, open_invoice, editing_on):
    cancelled = checkout.start_checkout(open_invoice, actor=BUYER)
    invoices.update_invoice(open_invoice, actor=admin, lines=[THREE])

    again = checkout.start_checkout(open_invoice, actor=BUYER)
    assert again.token != cancelled.token
    assert again.amount == Decimal("375.00")
    payment = complete(again, processor_id="pi_2")

    invoice = Invoice.objects.get(pk=open_invoice.pk)
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.amount_paid == payment.amount == Decimal("375.00")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("who", ["admin", "editor"])
# SPEC INV-9 SPEC INV-8
def test_edit_refused_with_nothing_written_when_checkout_completed_first(
    request, who, open_invoice, editing_on
):
    actor = request.getfixturevalue(who)
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    complete(started)
    before = stored(open_invoice)

    with pytest.raises(RuleViolation, match="has 1 payment on it and cannot be edited") as e:
        invoices.update_invoice(open_invoice, actor=actor, lines=[THREE])

    assert e.value.code == "has_payments"
    assert stored(open_invoice) == before
    started.refresh_from_db()
    assert started.status == CheckoutStatus.COMPLETED  # the buyer's payment stands


# SPEC INV-9
def test_second_completion_returns_same_payment_when_processor_repeats_itself(open_invoice):
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    first = complete(started, processor_id="pi_same")
    before = stored(open_invoice)

    second = complete(started, processor_id="pi_same")

    assert second.pk == first.pk
    assert stored(open_invoice) == before  # nothing new: no payment, no history
    invoice = Invoice.objects.get(pk=open_invoice.pk)
    assert invoice.amount_paid == Decimal("250.00")
    assert InvoicePayment.objects.filter(invoice=invoice).count() == 1


# SPEC INV-9
def test_completion_refused_with_nothing_written_when_checkout_already_completed(open_invoice):
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    complete(started, processor_id="pi_first")
    before = stored(open_invoice)

    with pytest.raises(RuleViolation, match="already completed") as refused:
        complete(started, processor_id="pi_other")

    assert refused.value.code == "checkout_closed"
    assert stored(open_invoice) == before


# SPEC INV-9
def test_completion_refused_with_nothing_written_when_checkout_deadline_passed(open_invoice):
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    # The expiry task has not run yet: only the deadline has passed.
    Checkout.objects.filter(pk=started.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    before = stored(open_invoice)

    with pytest.raises(RuleViolation, match="This checkout expired. Start again") as refused:
        complete(started)

    assert refused.value.code == "checkout_closed"
    assert stored(open_invoice) == before  # still 'open' in the table: nothing was written
    assert Invoice.objects.get(pk=open_invoice.pk).status == InvoiceStatus.OPEN


# SPEC INV-9
def test_completion_refused_when_expiry_task_closed_the_checkout(open_invoice):
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    Checkout.objects.filter(pk=started.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert checkout.expire_checkout(started.pk) == CheckoutStatus.EXPIRED
    before = stored(open_invoice)

    with pytest.raises(RuleViolation, match="expired") as refused:
        complete(started)

    assert refused.value.code == "checkout_closed"
    assert stored(open_invoice) == before
    assert Checkout.objects.get(pk=started.pk).status == CheckoutStatus.EXPIRED


# SPEC INV-9
def test_expired_checkout_not_cancelled_when_invoice_edited(admin, open_invoice, editing_on):
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    Checkout.objects.filter(pk=started.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    checkout.expire_checkout(started.pk)

    edit = invoices.update_invoice(open_invoice, actor=admin, lines=[THREE])

    assert edit.cancelled_checkouts == 0
    assert Checkout.objects.get(pk=started.pk).status == CheckoutStatus.EXPIRED


# SPEC INV-9
def test_checkout_stays_open_when_edit_is_refused(admin, open_invoice):
    started = checkout.start_checkout(open_invoice, actor=BUYER)  # editing is off
    with pytest.raises(RuleViolation, match="turned off") as refused:
        invoices.update_invoice(open_invoice, actor=admin, lines=[THREE])
    assert refused.value.code == "setting_off"
    started.refresh_from_db()
    assert started.status == CheckoutStatus.OPEN
    complete(started)
    assert Invoice.objects.get(pk=open_invoice.pk).status == InvoiceStatus.PAID


@pytest.mark.parametrize("amount", ["249.99", "250.01", "375.00"])
# SPEC INV-9
def test_completion_refused_with_nothing_written_when_amount_differs(open_invoice, amount):
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    before = stored(open_invoice)
    with pytest.raises(RuleViolation, match="does not match the amount due of 250.00 USD") as e:
        complete(started, amount=amount)
    assert e.value.code == "amount_mismatch"
    assert stored(open_invoice) == before


# SPEC INV-9
def test_completion_refused_when_checkout_token_is_unknown(open_invoice):
    before = stored(open_invoice)
    with pytest.raises(RuleViolation, match="This checkout does not exist") as refused:
        checkout.complete_checkout(
            "no-such-token", actor=BUYER, processor_payment_id="pi_1", amount="250.00"
        )
    assert refused.value.code == "not_found"
    assert stored(open_invoice) == before


# SPEC INV-9
def test_checkout_refused_when_invoice_is_not_open_for_payment(admin, draft_invoice, make_invoice):
    paid = make_invoice(finalized=True)
    record_invoice_payment(paid, actor=admin, amount="250.00")
    voided = invoices.void_invoice(make_invoice(finalized=True), actor=admin)
    for invoice in (draft_invoice, paid, voided):
        before = stored(invoice)
        with pytest.raises(RuleViolation, match="cannot be paid online") as refused:
            checkout.start_checkout(invoice, actor=BUYER)
        assert refused.value.code == "invalid_state"
        assert stored(invoice) == before


# SPEC INV-9
def test_checkout_amount_is_remaining_balance_when_partly_paid(admin, open_invoice):
    record_invoice_payment(open_invoice, actor=admin, amount="100.00")
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    assert started.amount == Decimal("150.00")
    complete(started)
    invoice = Invoice.objects.get(pk=open_invoice.pk)
    assert (invoice.status, invoice.amount_paid) == (InvoiceStatus.PAID, Decimal("250.00"))
