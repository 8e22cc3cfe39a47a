"""Void (INV-23) and delete (INV-21) of invoices, with every refusal."""

from decimal import Decimal

import pytest

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.history.models import Entry
from faktura.history.queries import edit_log
from faktura.invoices import checkout, invoice_payments, services
from faktura.invoices.models import (
    Checkout,
    CheckoutStatus,
    Invoice,
    InvoiceContact,
    InvoiceLine,
    InvoicePayment,
    InvoiceStatus,
)
from faktura.payments import services as payment_services
from faktura.payments.models import Payment

BUYER, STRIPE = Actor.system("buyer"), Actor.integration("stripe")


def pay_online(invoice: Invoice, amount: str = "250.00", refund: str = "0") -> Payment:
    started = checkout.start_checkout(invoice, actor=BUYER)
    payment = checkout.complete_checkout(
        started.token, actor=STRIPE, processor_payment_id=f"pi_{invoice.pk}", amount=amount
    )
    if refund != "0":
        payment = invoice_payments.refund_payment(payment, refund, actor=STRIPE)
    return payment


def status_of(invoice: Invoice) -> str:
    invoice.refresh_from_db()
    return invoice.status


# --- INV-23: void ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor"])
def test_invoice_voided_and_open_checkout_cancelled_when_unpaid(request, open_invoice, who):
    # SPEC INV-23
    actor = request.getfixturevalue(who)
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    voided = services.void_invoice(open_invoice, actor=actor)
    assert voided.status == InvoiceStatus.VOIDED
    assert voided.voided_at is not None
    assert status_of(open_invoice) == InvoiceStatus.VOIDED
    # SPEC DOC-3: nothing is due on a voided invoice.
    assert (open_invoice.amount_paid, open_invoice.balance_due) == (0, 0)
    started.refresh_from_db()
    assert (started.status, started.closed_reason) == (
        CheckoutStatus.CANCELLED,
        "The invoice was voided.",
    )
    event = edit_log(open_invoice).get(event_type="invoice.voided")
    assert event.data == {"number": "INV-1"}
    # The buyer's payment can no longer complete on the cancelled checkout.
    with pytest.raises(RuleViolation, match="was cancelled") as refused:
        checkout.complete_checkout(
            started.token, actor=STRIPE, processor_payment_id="pi_x", amount="250.00"
        )
    assert refused.value.code == "checkout_closed"
    assert not Payment.objects.exists()
    assert status_of(open_invoice) == InvoiceStatus.VOIDED


def test_voided_invoice_takes_no_payment_in_any_way_when_voided(admin, system, open_invoice):
    # SPEC INV-23
    services.void_invoice(open_invoice, actor=admin)
    wire = payment_services.create_manual_payment(actor=system, amount="1.00", currency="USD")
    refusals = [
        lambda: invoice_payments.record_invoice_payment(open_invoice, actor=admin, amount="1.00"),
        lambda: invoice_payments.apply_payment_to_invoice(open_invoice, wire, actor=admin),
    ]
    for refused_call in refusals:
        with pytest.raises(RuleViolation, match="voided and can no longer take a payment") as e:
            refused_call()
        assert e.value.code == "invalid_state"
    with pytest.raises(RuleViolation, match="cannot be paid online"):
        checkout.start_checkout(open_invoice, actor=BUYER)
    assert not InvoicePayment.objects.exists()
    assert Payment.objects.count() == 1  # only the unapplied wire
    assert (status_of(open_invoice), open_invoice.amount_paid) == (InvoiceStatus.VOIDED, 0)


def test_voided_invoice_cannot_be_edited_when_editing_finalized_is_on(admin, account, open_invoice):
    # SPEC INV-23
    account(allow_editing_finalized_invoices=True)
    services.void_invoice(open_invoice, actor=admin)
    for values in ({"hs_comments": "x"}, {"hs_due_date": "2030-01-01"}):
        with pytest.raises(RuleViolation, match="INV-1 is voided and cannot be edited") as e:
            services.update_invoice(open_invoice, actor=admin, values=values)
        assert e.value.code == "invalid_state"
    open_invoice.refresh_from_db()
    assert (open_invoice.status, open_invoice.comments) == (InvoiceStatus.VOIDED, "")


def test_void_refused_when_invoice_is_already_voided(admin, open_invoice):
    # SPEC INV-23: cannot be un-voided, and voiding again is no way back either
    voided = services.void_invoice(open_invoice, actor=admin)
    entries = Entry.objects.count()
    with pytest.raises(RuleViolation, match="INV-1 is already voided") as refused:
        services.void_invoice(open_invoice, actor=admin)
    assert refused.value.code == "invalid_state"
    open_invoice.refresh_from_db()
    assert (open_invoice.status, open_invoice.voided_at) == (InvoiceStatus.VOIDED, voided.voided_at)
    assert Entry.objects.count() == entries
    # No service reopens it: even setting the status directly is refused.
    with pytest.raises(RuleViolation, match="voided and cannot be edited"):
        services.update_invoice(open_invoice, actor=admin, values={"hs_invoice_status": "open"})
    assert status_of(open_invoice) == InvoiceStatus.VOIDED


@pytest.mark.parametrize("refund", ["0", "100.00", "250.00"])
def test_void_refused_when_invoice_received_an_online_payment_even_if_refunded(
    admin, open_invoice, refund
):  # SPEC INV-23
    pay_online(open_invoice, refund=refund)
    entries = Entry.objects.count()
    with pytest.raises(RuleViolation) as refused:
        services.void_invoice(open_invoice, actor=admin)
    assert refused.value.code == "online_payment"
    assert refused.value.reason == (
        "Invoice INV-1 received an online payment and cannot be voided, "
        "even if the payment was refunded."
    )
    assert status_of(open_invoice) != InvoiceStatus.VOIDED
    assert Entry.objects.count() == entries


@pytest.mark.parametrize("amount", ["120.00", "250.00"])
def test_void_allowed_only_after_manual_payment_deleted(admin, open_invoice, amount):
    # SPEC INV-23
    payment = invoice_payments.record_invoice_payment(open_invoice, actor=admin, amount=amount)
    with pytest.raises(RuleViolation) as refused:
        services.void_invoice(open_invoice, actor=admin)
    assert refused.value.code == "has_payments"
    assert refused.value.reason == (
        f"Invoice INV-1 has a manual payment of {amount} USD. "
        "Delete the payment before voiding the invoice."
    )
    assert status_of(open_invoice) in (InvoiceStatus.OPEN, InvoiceStatus.PAID)

    invoice_payments.delete_payment(payment, actor=admin)
    assert services.void_invoice(open_invoice, actor=admin).status == InvoiceStatus.VOIDED
    assert status_of(open_invoice) == InvoiceStatus.VOIDED


def test_void_refused_when_invoice_is_a_draft(editor, draft_invoice):  # SPEC INV-23
    with pytest.raises(RuleViolation, match="A draft cannot be voided. Delete the draft") as e:
        services.void_invoice(draft_invoice, actor=editor)
    assert e.value.code == "invalid_state"
    draft_invoice.refresh_from_db()
    assert (draft_invoice.status, draft_invoice.voided_at) == (InvoiceStatus.DRAFT, None)


def test_void_refused_when_user_is_view_only(viewer, open_invoice):  # SPEC INV-23
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    with pytest.raises(RuleViolation, match="view-only") as refused:
        services.void_invoice(open_invoice, actor=viewer)
    assert refused.value.code == "permission_denied"
    assert status_of(open_invoice) == InvoiceStatus.OPEN
    started.refresh_from_db()
    assert started.status == CheckoutStatus.OPEN


# --- INV-21: delete --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor"])
def test_draft_deleted_when_editor_or_admin_deletes_it_with_the_setting_off(
    request, draft_invoice, who
):  # SPEC INV-21 SPEC INV-4
    pk = draft_invoice.pk
    services.delete_invoice(draft_invoice, actor=request.getfixturevalue(who))
    assert not Invoice.objects.filter(pk=pk).exists()
    assert not InvoiceLine.objects.filter(invoice_id=pk).exists()
    event = Entry.objects.for_object("invoice", pk).get(event_type="invoice.deleted")
    assert (event.data["number"], event.data["status"]) == (None, "draft")


def test_draft_deletion_refused_when_user_is_view_only(viewer, draft_invoice):
    # SPEC INV-21 SPEC INV-4
    with pytest.raises(RuleViolation, match="view-only") as refused:
        services.delete_invoice(draft_invoice, actor=viewer)
    assert refused.value.code == "permission_denied"
    assert Invoice.objects.filter(pk=draft_invoice.pk).exists()


@pytest.mark.parametrize("voided", [False, True])
@pytest.mark.parametrize("who", ["admin", "editor"])
def test_finalized_delete_refused_when_setting_is_off(request, open_invoice, who, voided):
    # SPEC INV-21
    actor = request.getfixturevalue(who)
    if voided:
        services.void_invoice(open_invoice, actor=actor)
    with pytest.raises(RuleViolation, match="turn on 'Allow deleting invoices'") as refused:
        services.delete_invoice(open_invoice, actor=actor)
    assert refused.value.code == "setting_off"
    assert Invoice.objects.filter(pk=open_invoice.pk).exists()
    assert not Entry.objects.filter(event_type="invoice.deleted").exists()


def test_finalized_delete_refused_when_user_is_view_only(viewer, account, open_invoice):
    # SPEC INV-21
    account(allow_deleting_invoices=True)
    with pytest.raises(RuleViolation, match="view-only") as refused:
        services.delete_invoice(open_invoice, actor=viewer)
    assert refused.value.code == "permission_denied"
    assert Invoice.objects.filter(pk=open_invoice.pk).exists()
    assert not Entry.objects.filter(event_type="invoice.deleted").exists()


@pytest.mark.parametrize(
    "payment",
    [
        "manual_partial",
        "manual_full",  # a paid invoice
        "online",  # a paid invoice
        "online_partly_refunded",
        "online_fully_refunded",
        "manual_fully_refunded",
    ],
)
def test_finalized_delete_refused_when_invoice_has_any_payment(
    admin, editor, account, open_invoice, payment
):  # SPEC INV-21
    account(allow_deleting_invoices=True)
    if payment.startswith("online"):
        refund = {"online": "0", "online_partly_refunded": "50.00"}.get(payment, "250.00")
        pay_online(open_invoice, refund=refund)
    else:
        amount = "10.00" if payment == "manual_partial" else "250.00"
        paid = invoice_payments.record_invoice_payment(open_invoice, actor=admin, amount=amount)
        if payment == "manual_fully_refunded":
            invoice_payments.refund_payment(paid, "250.00", actor=admin)
    for actor in (admin, editor):
        with pytest.raises(RuleViolation) as refused:
            services.delete_invoice(open_invoice, actor=actor)
        assert refused.value.code == "has_payments"
        assert refused.value.reason == (
            "Invoice INV-1 has payments on it. Only unpaid invoices can be deleted."
        )
    assert Invoice.objects.filter(pk=open_invoice.pk).exists()
    assert open_invoice.applied_payments.count() == 1
    assert not Entry.objects.filter(event_type="invoice.deleted").exists()


@pytest.mark.parametrize("voided", [False, True])
@pytest.mark.parametrize("who", ["admin", "editor"])
def test_unpaid_finalized_invoice_deleted_for_good_when_allowed(
    request, account, open_invoice, who, voided
):  # SPEC INV-21
    actor = request.getfixturevalue(who)
    account(allow_deleting_invoices=True)
    checkout.start_checkout(open_invoice, actor=BUYER)
    if voided:
        services.void_invoice(open_invoice, actor=actor)
    number, pk = open_invoice.number, open_invoice.pk
    assert InvoiceLine.objects.filter(invoice_id=pk).exists()

    services.delete_invoice(open_invoice, actor=actor)

    assert not Invoice.objects.filter(pk=pk).exists()
    assert not InvoiceLine.objects.filter(invoice_id=pk).exists()
    assert not Checkout.objects.filter(invoice_id=pk).exists()
    assert not InvoiceContact.objects.filter(invoice_id=pk).exists()
    event = Entry.objects.for_object("invoice", pk).get(event_type="invoice.deleted")
    assert event.data["number"] == number == "INV-1"
    assert event.data["status"] == ("voided" if voided else "open")
    assert (Decimal(event.data["total"]), event.data["currency"]) == (Decimal("250.00"), "USD")
    assert event.actor_user_id == actor.user.pk
    # The rest of the invoice's history stays too: the gap in the numbers is explained.
    assert Entry.objects.for_object("invoice", pk).filter(event_type="invoice.finalized").exists()
    with pytest.raises(RuleViolation, match="does not exist") as refused:
        services.delete_invoice(open_invoice, actor=actor)  # cannot be undone or repeated
    assert refused.value.code == "not_found"


def test_finalized_invoice_deleted_when_its_only_manual_payment_was_deleted_first(
    admin, account, open_invoice
):  # SPEC INV-21 SPEC INV-13
    account(allow_deleting_invoices=True)
    payment = invoice_payments.record_invoice_payment(open_invoice, actor=admin, amount="250.00")
    invoice_payments.delete_payment(payment, actor=admin)
    services.delete_invoice(open_invoice, actor=admin)
    assert not Invoice.objects.filter(pk=open_invoice.pk).exists()


def test_payment_refused_when_invoice_was_deleted(admin, account, open_invoice):
    # SPEC INV-21: deletion is permanent; a stale page cannot pay the invoice
    account(allow_deleting_invoices=True)
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    services.delete_invoice(open_invoice, actor=admin)
    with pytest.raises(RuleViolation, match="does not exist") as refused:
        invoice_payments.record_invoice_payment(open_invoice, actor=admin, amount="10.00")
    assert refused.value.code == "not_found"
    with pytest.raises(RuleViolation, match="does not exist"):
        checkout.complete_checkout(
            started.token, actor=STRIPE, processor_payment_id="pi_gone", amount="250.00"
        )
    assert not Payment.objects.exists()
