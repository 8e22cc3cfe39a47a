"""Void (INV-23) and delete (INV-21) with every refusal."""

from decimal import Decimal

import pytest

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.history.models import Entry
from faktura.invoices import checkout, invoice_payments, services
from faktura.invoices.models import Checkout, CheckoutStatus, Invoice, InvoiceLine, InvoiceStatus

BUYER, STRIPE = Actor.system("buyer"), Actor.integration("stripe")


def pay_online(invoice: Invoice) -> None:
    started = checkout.start_checkout(invoice, actor=BUYER)
    checkout.complete_checkout(
        started.token, actor=STRIPE, processor_payment_id="pi_v", amount="250.00"
    )


def test_invoice_voided_and_open_checkout_cancelled_when_unpaid(editor, open_invoice):
    # SPEC INV-23
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    voided = services.void_invoice(open_invoice, actor=editor)
    assert voided.status == InvoiceStatus.VOIDED
    assert voided.voided_at is not None
    started.refresh_from_db()
    assert started.status == CheckoutStatus.CANCELLED
    with pytest.raises(RuleViolation, match="cancelled"):
        checkout.complete_checkout(
            started.token, actor=STRIPE, processor_payment_id="pi_x", amount="250.00"
        )


def test_voided_invoice_takes_no_payment_no_edit_and_no_unvoid_when_voided(
    admin, account, open_invoice
):  # SPEC INV-23
    account(allow_editing_finalized_invoices=True)
    services.void_invoice(open_invoice, actor=admin)
    with pytest.raises(RuleViolation, match="can no longer take a payment"):
        invoice_payments.record_invoice_payment(open_invoice, actor=admin, amount="1.00")
    with pytest.raises(RuleViolation, match="cannot be paid online"):
        checkout.start_checkout(open_invoice, actor=BUYER)
    with pytest.raises(RuleViolation, match="voided and cannot be edited"):
        services.update_invoice(open_invoice, actor=admin, values={"hs_comments": "x"})
    with pytest.raises(RuleViolation, match="already voided") as refused:
        services.void_invoice(open_invoice, actor=admin)
    assert refused.value.code == "invalid_state"
    open_invoice.refresh_from_db()
    assert open_invoice.status == InvoiceStatus.VOIDED


def test_void_refused_when_online_payment_was_made_even_if_refunded(admin, open_invoice):
    # SPEC INV-23
    pay_online(open_invoice)
    payment = open_invoice.applied_payments.get().payment
    invoice_payments.refund_payment(payment, "250.00", actor=STRIPE)
    with pytest.raises(RuleViolation, match="even if the payment was refunded") as refused:
        services.void_invoice(open_invoice, actor=admin)
    assert refused.value.code == "online_payment"
    open_invoice.refresh_from_db()
    assert open_invoice.status == InvoiceStatus.OPEN


def test_void_allowed_only_after_manual_payment_deleted(admin, open_invoice):  # SPEC INV-23
    payment = invoice_payments.record_invoice_payment(open_invoice, actor=admin, amount="120.00")
    expected = (
        f"Invoice {open_invoice.number} has a manual payment of 120.00 USD. "
        "Delete the payment before voiding the invoice."
    )
    with pytest.raises(RuleViolation) as refused:
        services.void_invoice(open_invoice, actor=admin)
    assert refused.value.reason == expected
    invoice_payments.delete_payment(payment, actor=admin)
    assert services.void_invoice(open_invoice, actor=admin).status == InvoiceStatus.VOIDED


def test_void_refused_when_draft_or_viewer(viewer, editor, draft_invoice, open_invoice):
    # SPEC INV-23
    with pytest.raises(RuleViolation, match="Delete the draft instead"):
        services.void_invoice(draft_invoice, actor=editor)
    with pytest.raises(RuleViolation, match="view-only"):
        services.void_invoice(open_invoice, actor=viewer)
    open_invoice.refresh_from_db()
    assert open_invoice.status == InvoiceStatus.OPEN


def test_draft_deleted_when_editor_deletes_it(editor, draft_invoice):  # SPEC INV-4
    services.delete_invoice(draft_invoice, actor=editor)
    assert not Invoice.objects.filter(pk=draft_invoice.pk).exists()
    assert not InvoiceLine.objects.filter(invoice_id=draft_invoice.pk).exists()


def test_finalized_delete_refused_when_setting_is_off(admin, open_invoice):  # SPEC INV-21
    with pytest.raises(RuleViolation, match="Allow deleting invoices") as refused:
        services.delete_invoice(open_invoice, actor=admin)
    assert refused.value.code == "setting_off"
    assert Invoice.objects.filter(pk=open_invoice.pk).exists()


def test_finalized_delete_refused_when_user_is_view_only(viewer, account, open_invoice):
    # SPEC INV-21
    account(allow_deleting_invoices=True)
    with pytest.raises(RuleViolation, match="view-only"):
        services.delete_invoice(open_invoice, actor=viewer)
    assert Invoice.objects.filter(pk=open_invoice.pk).exists()


@pytest.mark.parametrize("kind", ["manual", "partial", "online_refunded"])
def test_finalized_delete_refused_when_invoice_has_any_payment(
    admin, account, open_invoice, kind
):  # SPEC INV-21
    account(allow_deleting_invoices=True)
    if kind == "online_refunded":
        pay_online(open_invoice)
        payment = open_invoice.applied_payments.get().payment
        invoice_payments.refund_payment(payment, "250.00", actor=STRIPE)
    else:
        amount = "250.00" if kind == "manual" else "10.00"
        invoice_payments.record_invoice_payment(open_invoice, actor=admin, amount=amount)
    with pytest.raises(RuleViolation, match="Only unpaid invoices can be deleted") as refused:
        services.delete_invoice(open_invoice, actor=admin)
    assert refused.value.code == "has_payments"
    assert Invoice.objects.filter(pk=open_invoice.pk).exists()


@pytest.mark.parametrize("who", ["admin", "editor"])
@pytest.mark.parametrize("voided", [False, True])
def test_unpaid_finalized_invoice_deleted_for_good_when_allowed(
    request, account, open_invoice, who, voided
):  # SPEC INV-21
    actor = request.getfixturevalue(who)
    account(allow_deleting_invoices=True)
    checkout.start_checkout(open_invoice, actor=BUYER)
    if voided:
        services.void_invoice(open_invoice, actor=actor)
    number, pk = open_invoice.number, open_invoice.pk
    services.delete_invoice(open_invoice, actor=actor)
    assert not Invoice.objects.filter(pk=pk).exists()
    assert not InvoiceLine.objects.filter(invoice_id=pk).exists()
    assert not Checkout.objects.filter(invoice_id=pk).exists()
    event = Entry.objects.for_object("invoice", pk).get(event_type="invoice.deleted")
    assert event.data["number"] == number
    assert Decimal(event.data["total"]) == Decimal("250.00")
    with pytest.raises(RuleViolation, match="does not exist") as refused:
        services.delete_invoice(open_invoice, actor=actor)  # cannot be undone or repeated
    assert refused.value.code == "not_found"
