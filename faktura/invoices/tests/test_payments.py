"""Payments on an invoice (INV-11…INV-14): record, apply an existing one, delete, refund.

Every refusal is checked three ways: the error code, a key phrase of the reason, and that
nothing was written (no payment, no application, no history entry, invoice amounts unchanged).
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone

from faktura.core.actors import Actor, ActorKind
from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.history.models import Entry
from faktura.history.queries import edit_log
from faktura.invoices import checkout, invoice_payments, services
from faktura.invoices.models import (
    CheckoutStatus,
    Invoice,
    InvoicePayment,
    InvoiceStatus,
    PaymentState,
)
from faktura.payments import services as payment_services
from faktura.payments.models import Payment, PaymentMethod, PaymentStatus, Processor
from faktura.payments.queries import search_payments

BUYER, STRIPE = Actor.system("buyer"), Actor.integration("stripe")
TODAY = timezone.localdate


def state(invoice: Invoice) -> tuple:
    """(status, payment status, amount paid, balance due) as stored now."""
    invoice.refresh_from_db()
    return (invoice.status, invoice.payment_state, invoice.amount_paid, invoice.balance_due)


UNPAID = (InvoiceStatus.OPEN, PaymentState.UNPAID, Decimal(0), Decimal("250.00"))
PAID = (InvoiceStatus.PAID, PaymentState.PAID, Decimal("250.00"), Decimal(0))


def partly(paid: str) -> tuple:
    return (
        InvoiceStatus.OPEN,
        PaymentState.PARTIALLY_PAID,
        Decimal(paid),
        Decimal("250.00") - Decimal(paid),
    )


def pay_online(
    invoice: Invoice, processor_id: str = "pi_1", amount: str = "250.00", fees: str = "7.55"
) -> Payment:
    started = checkout.start_checkout(invoice, actor=BUYER)
    return checkout.complete_checkout(
        started.token, actor=STRIPE, processor_payment_id=processor_id, amount=amount, fees=fees
    )


def written() -> tuple:
    """Everything a payment operation could write, to prove a refusal wrote nothing."""
    return (
        sorted(Payment.objects.values_list("pk", "amount", "refunded_amount", "status")),
        sorted(InvoicePayment.objects.values_list("invoice_id", "payment_id")),
        sorted(Invoice.objects.values_list("pk", "status", "amount_paid", "balance_due")),
        Entry.objects.count(),
    )


def assert_refused(call: Callable[[], object], code: str, phrase: str) -> RuleViolation:
    before = written()
    with pytest.raises(RuleViolation) as refused:
        call()
    assert refused.value.code == code
    assert phrase in refused.value.reason
    assert written() == before
    return refused.value


# --- INV-11: recording a new manual payment -------------------------------------------------


def test_invoice_partially_paid_then_paid_when_manual_payments_recorded(editor, open_invoice):
    # SPEC INV-11 SPEC INV-3
    paid_on = TODAY() - dt.timedelta(days=2)
    first = invoice_payments.record_invoice_payment(
        open_invoice,
        actor=editor,
        amount="100.00",
        paid_on=paid_on,
        method=PaymentMethod.CHECK,
        reference="Check 1001",
        note="Posted by Ada",
    )
    first.refresh_from_db()
    assert (first.amount, first.currency, first.paid_on) == (Decimal("100.00"), "USD", paid_on)
    assert (first.method, first.reference, first.note) == ("check", "Check 1001", "Posted by Ada")
    assert (first.processor, first.processor_payment_id) == (Processor.NONE, None)
    assert first.status == PaymentStatus.SUCCEEDED
    assert first.contact is not None
    assert (first.contact.email, first.customer_email) == ("ada@example.com", "ada@example.com")
    assert state(open_invoice) == partly("100.00")
    assert open_invoice.paid_at is None

    second = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="150")
    assert state(open_invoice) == PAID
    assert open_invoice.paid_at is not None
    # The Payments section lists both, oldest first.
    assert [a.payment for a in open_invoice.applied_payments.all()] == [first, second]
    events = edit_log(open_invoice).filter(event_type="invoice.payment_recorded").order_by("id")
    assert [(e.data["amount"], e.data["online"]) for e in events] == [
        ("100.00", False),
        ("150.00", False),
    ]
    assert {e.actor_user_id for e in events} == {editor.user.pk}
    paid_history = edit_log(open_invoice).filter(property="hs_amount_paid").order_by("id")
    assert [Decimal(e.new_value) for e in paid_history] == [
        Decimal(0),
        Decimal(100),
        Decimal(250),
    ]


def test_payment_gets_today_and_wire_transfer_when_only_amount_given(editor, open_invoice):
    # SPEC INV-11
    payment = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="250")
    assert (payment.paid_on, payment.method) == (TODAY(), PaymentMethod.WIRE_TRANSFER)
    assert state(open_invoice) == PAID


def test_payment_recorded_for_the_given_contact_when_one_is_named(
    editor, system, open_invoice
):  # SPEC INV-11
    grace = crm.create_contact(actor=system, firstname="Grace", email="grace@example.com")
    payment = invoice_payments.record_invoice_payment(
        open_invoice, actor=editor, amount="10.00", contact=grace
    )
    assert (payment.contact, payment.customer_email) == (grace, "grace@example.com")
    assert list(search_payments("grace@example.com")) == [payment]


def test_amount_in_any_decimals_up_to_the_currency_accepted_when_recorded(editor, open_invoice):
    # SPEC INV-11 SPEC INV-3
    for text in ("0.1", "10", "10.50", "10.500"):
        invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount=text)
    assert state(open_invoice) == partly("31.10")
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        Decimal("0.10"),
        Decimal("10.00"),
        Decimal("10.50"),
        Decimal("10.50"),
    ]


# --- INV-11: applying an existing payment ----------------------------------------------------


@pytest.fixture
def grace_payment(system) -> Payment:
    """An unapplied 80.00 USD wire from Grace, among unrelated payments."""
    grace = crm.create_contact(actor=system, firstname="Grace", email="grace@example.com")
    linus = crm.create_contact(actor=system, firstname="Linus", email="linus@example.com")
    # Non-integer amounts: searching a payment id (digits) also matches amounts.
    payment_services.create_manual_payment(
        actor=system, amount="31.40", currency="USD", contact=linus
    )
    payment_services.create_manual_payment(actor=system, amount="80.01", currency="USD")
    return payment_services.create_manual_payment(
        actor=system, amount="80.00", currency="USD", contact=grace, reference="Wire 77"
    )


@pytest.mark.parametrize(
    "search_by",
    ["amount", "payment_id", "contact_email", "contact_email_cased"],
)
def test_existing_payment_applied_when_found_by_search(
    editor, open_invoice, grace_payment, search_by
):  # SPEC INV-11
    text = {
        "amount": "80.00",
        "payment_id": str(grace_payment.pk),
        "contact_email": "grace@example.com",
        "contact_email_cased": " Grace@Example.COM ",
    }[search_by]
    found = list(search_payments(text))
    assert found == [grace_payment]

    invoice_payments.apply_payment_to_invoice(open_invoice, found[0], actor=editor)
    assert state(open_invoice) == partly("80.00")
    assert [a.payment for a in open_invoice.applied_payments.all()] == [grace_payment]
    assert Payment.objects.count() == 3  # applied, not copied
    event = edit_log(open_invoice).get(event_type="invoice.payment_recorded")
    assert event.data["payment_id"] == grace_payment.pk


def test_payment_found_by_the_contacts_current_email_when_the_contact_changed_it(
    system, grace_payment
):  # SPEC INV-11
    grace = grace_payment.contact
    grace.email = "grace.hopper@example.com"
    grace.save()
    assert list(search_payments("grace.hopper@example.com")) == [grace_payment]


def test_invoice_paid_when_existing_payment_covers_the_balance(editor, system, open_invoice):
    # SPEC INV-11
    invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="170.00")
    wire = payment_services.create_manual_payment(actor=system, amount="80.00", currency="USD")
    invoice_payments.apply_payment_to_invoice(open_invoice, wire, actor=editor)
    assert state(open_invoice) == PAID
    assert open_invoice.applied_payments.count() == 2


def test_unapplied_online_payment_counts_what_it_still_holds_when_applied(editor, open_invoice):
    # SPEC INV-11 SPEC INV-14
    online, _ = payment_services.record_online_payment(
        actor=STRIPE, processor_payment_id="pi_loose", amount="100.00", currency="USD"
    )
    payment_services.record_refund(online, "30.00", actor=STRIPE)
    invoice_payments.apply_payment_to_invoice(open_invoice, online, actor=editor)
    assert state(open_invoice) == partly("70.00")


# --- INV-11: refusals -----------------------------------------------------------------------


def record(invoice: Invoice, actor: Actor, amount: object = "10.00", **kwargs) -> Callable:
    return lambda: invoice_payments.record_invoice_payment(
        invoice, actor=actor, amount=amount, **kwargs
    )


@pytest.mark.parametrize(
    ("amount", "code", "phrase"),
    [
        ("250.01", "overpayment", "more than the balance due of 250.00 USD on invoice INV-1"),
        ("1000000", "overpayment", "more than the balance due"),
        ("0", "invalid_amount", "must be more than zero"),
        ("0.00", "invalid_amount", "must be more than zero"),
        ("-5", "invalid_amount", "must be more than zero"),
        ("-0.01", "invalid_amount", "must be more than zero"),
        ("10.001", "invalid_amount", "has more decimals than USD allows (2)"),
        ("0.005", "invalid_amount", "has more decimals than USD allows"),
        ("ten", "invalid_number", "must be a number"),
        ("", "invalid_number", "must be a number"),
        (None, "invalid_number", "must be a number"),
        ("NaN", "invalid_number", "must be a number"),
        ("Infinity", "invalid_number", "must be a number"),
        ("1e20", "invalid_number", "exponent notation"),  # SPEC DOC-4
        ("1" * 20, "invalid_number", "too large"),
    ],
)
def test_payment_refused_and_nothing_written_when_amount_is_wrong(
    editor, open_invoice, amount, code, phrase
):  # SPEC INV-11
    assert_refused(record(open_invoice, editor, amount), code, phrase)
    assert state(open_invoice) == UNPAID
    assert not Payment.objects.exists()


def test_overpayment_refused_against_the_remaining_balance_when_partly_paid(editor, open_invoice):
    # SPEC INV-11
    invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="200.00")
    assert_refused(record(open_invoice, editor, "50.01"), "overpayment", "balance due of 50.00 USD")
    assert state(open_invoice) == partly("200.00")
    assert Payment.objects.count() == 1


def test_payment_refused_and_nothing_written_when_date_is_in_the_future(editor, open_invoice):
    # SPEC INV-11
    tomorrow = TODAY() + dt.timedelta(days=1)
    assert_refused(
        record(open_invoice, editor, paid_on=tomorrow), "invalid_date", "cannot be in the future"
    )
    assert state(open_invoice) == UNPAID
    assert not Payment.objects.exists()


def test_payment_refused_and_nothing_written_when_method_is_unknown(editor, open_invoice):
    # SPEC INV-11
    assert_refused(
        record(open_invoice, editor, method="barter"), "rule_violation", "Unknown payment method"
    )
    assert state(open_invoice) == UNPAID


def test_payment_refused_and_nothing_written_when_user_is_view_only(viewer, open_invoice):
    # SPEC INV-11
    assert_refused(record(open_invoice, viewer), "permission_denied", "view-only access")
    assert state(open_invoice) == UNPAID
    assert not Payment.objects.exists()


def test_payment_refused_and_nothing_written_when_invoice_is_a_draft(editor, draft_invoice):
    # SPEC INV-11
    assert_refused(
        record(draft_invoice, editor), "invalid_state", "Finalize the invoice before recording"
    )
    draft_invoice.refresh_from_db()
    assert (draft_invoice.status, draft_invoice.amount_paid) == (InvoiceStatus.DRAFT, 0)
    assert not Payment.objects.exists()


def test_payment_refused_and_nothing_written_when_invoice_is_voided(editor, open_invoice):
    # SPEC INV-11 SPEC INV-23
    services.void_invoice(open_invoice, actor=editor)
    assert_refused(
        record(open_invoice, editor), "invalid_state", "is voided and can no longer take a payment"
    )
    assert state(open_invoice)[0] == InvoiceStatus.VOIDED
    assert not Payment.objects.exists()


def test_payment_refused_and_nothing_written_when_invoice_is_already_paid(editor, open_invoice):
    # SPEC INV-11
    invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="250.00")
    assert_refused(
        record(open_invoice, editor, "0.01"), "invalid_state", "INV-1 is already paid in full"
    )
    assert state(open_invoice) == PAID
    assert Payment.objects.count() == 1


def test_stale_invoice_object_does_not_allow_overpayment_when_paid_meanwhile(
    editor, open_invoice
):  # SPEC INV-11
    stale = Invoice.objects.get(pk=open_invoice.pk)  # loaded while still unpaid
    invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="250.00")
    assert_refused(record(stale, editor, "250.00"), "invalid_state", "already paid in full")
    assert state(open_invoice) == PAID


def apply(invoice: Invoice, payment: Payment, actor: Actor) -> Callable:
    return lambda: invoice_payments.apply_payment_to_invoice(invoice, payment, actor=actor)


@pytest.fixture
def wire(system) -> Payment:
    return payment_services.create_manual_payment(actor=system, amount="50.00", currency="USD")


def test_apply_refused_and_nothing_written_when_payment_is_on_another_invoice(
    editor, make_invoice
):  # SPEC INV-11
    first, second = make_invoice(finalized=True), make_invoice(finalized=True)
    payment = invoice_payments.record_invoice_payment(first, actor=editor, amount="50.00")
    assert_refused(
        apply(second, payment, editor), "already_applied", f"already applied to invoice {first}"
    )
    assert_refused(apply(first, payment, editor), "already_applied", "already applied")
    assert state(second) == UNPAID
    assert state(first) == partly("50.00")


def test_apply_refused_and_nothing_written_when_currency_differs(editor, system, open_invoice):
    # SPEC INV-11
    euros = payment_services.create_manual_payment(actor=system, amount="50.00", currency="EUR")
    assert_refused(
        apply(open_invoice, euros, editor),
        "currency_mismatch",
        "is in EUR but the invoice is in USD",
    )
    assert state(open_invoice) == UNPAID
    assert not InvoicePayment.objects.exists()


def test_apply_refused_and_nothing_written_when_payment_exceeds_balance(
    editor, system, open_invoice
):  # SPEC INV-11
    large = payment_services.create_manual_payment(actor=system, amount="250.01", currency="USD")
    assert_refused(
        apply(open_invoice, large, editor), "overpayment", "more than the balance due of 250.00"
    )
    assert state(open_invoice) == UNPAID


def test_apply_refused_and_nothing_written_when_payment_was_fully_refunded(
    editor, open_invoice
):  # SPEC INV-11 SPEC INV-14
    online, _ = payment_services.record_online_payment(
        actor=STRIPE, processor_payment_id="pi_gone", amount="100.00", currency="USD"
    )
    payment_services.record_refund(online, "100.00", actor=STRIPE)
    assert_refused(apply(open_invoice, online, editor), "invalid_state", "holds no money")
    assert state(open_invoice) == UNPAID


@pytest.mark.parametrize(
    ("invoice_state", "who", "code", "phrase"),
    [
        ("draft", "editor", "invalid_state", "Finalize the invoice"),
        ("voided", "editor", "invalid_state", "can no longer take a payment"),
        ("paid", "editor", "invalid_state", "already paid in full"),
        ("open", "viewer", "permission_denied", "view-only access"),
    ],
)
def test_apply_refused_and_nothing_written_when_invoice_cannot_take_it(
    request, make_invoice, wire, invoice_state, who, code, phrase
):  # SPEC INV-11 SPEC INV-23
    editor = request.getfixturevalue("editor")
    invoice = make_invoice(finalized=invoice_state != "draft")
    if invoice_state == "voided":
        services.void_invoice(invoice, actor=editor)
    if invoice_state == "paid":
        invoice_payments.record_invoice_payment(invoice, actor=editor, amount="250.00")
    assert_refused(apply(invoice, wire, request.getfixturevalue(who)), code, phrase)
    assert not InvoicePayment.objects.filter(payment=wire).exists()


# --- INV-12: no receipt ----------------------------------------------------------------------


def test_no_email_and_no_receipt_when_payments_recorded_manually(
    editor, open_invoice, wire, mailoutbox, django_capture_on_commit_callbacks
):  # SPEC INV-12
    # Run on-commit callbacks too: a receipt sent "after commit" must not slip through.
    with django_capture_on_commit_callbacks(execute=True):
        invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="200.00")
        invoice_payments.apply_payment_to_invoice(open_invoice, wire, actor=editor)
    assert state(open_invoice) == PAID
    assert mailoutbox == []
    events = set(Entry.objects.exclude(event_type="").values_list("event_type", flat=True))
    assert not {e for e in events if "receipt" in e or "sent" in e or "email" in e}
    assert open_invoice.last_sent_at is None


# --- INV-13: deleting a manual payment -------------------------------------------------------


def test_paid_invoice_reopens_when_its_manual_payment_deleted(editor, open_invoice):
    # SPEC INV-13
    partial = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="50.00")
    rest = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="200.00")
    assert state(open_invoice) == PAID

    invoice_payments.delete_payment(rest, actor=editor)
    assert state(open_invoice) == partly("50.00")
    assert open_invoice.paid_at is None
    assert [a.payment for a in open_invoice.applied_payments.all()] == [partial]

    invoice_payments.delete_payment(partial, actor=editor)
    assert state(open_invoice) == UNPAID
    assert not Payment.objects.exists()
    assert not open_invoice.applied_payments.exists()


def test_history_records_the_deletion_when_manual_payment_deleted(editor, open_invoice):
    # SPEC INV-13
    payment = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="80.00")
    payment_id = payment.pk
    invoice_payments.delete_payment(payment, actor=editor)
    event = edit_log(open_invoice).get(event_type="invoice.payment_deleted")
    assert (event.data["payment_id"], event.data["currency"]) == (payment_id, "USD")
    assert Decimal(event.data["amount"]) == Decimal("80.00")
    assert (event.actor_kind, event.actor_user_id) == (ActorKind.USER, editor.user.pk)
    assert (
        Entry.objects.for_object("payment", payment_id)
        .filter(event_type="payment.deleted")
        .exists()
    )
    latest_paid = edit_log(open_invoice).filter(property="hs_amount_paid").order_by("-id").first()
    assert latest_paid is not None
    assert latest_paid.old_value is not None
    assert latest_paid.new_value is not None
    assert (Decimal(latest_paid.old_value), Decimal(latest_paid.new_value)) == (Decimal(80), 0)


def test_invoice_takes_a_new_payment_when_the_wrong_one_was_deleted(editor, open_invoice):
    # SPEC INV-13 SPEC INV-11
    wrong = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="250.00")
    invoice_payments.delete_payment(wrong, actor=editor)
    invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="240.00")
    assert state(open_invoice) == partly("240.00")


def test_unapplied_manual_payment_deleted_when_no_invoice_uses_it(editor, wire):
    # SPEC INV-13
    invoice_payments.delete_payment(wire, actor=editor)
    assert not Payment.objects.filter(pk=wire.pk).exists()


@pytest.mark.parametrize("refunded", ["0", "50.00", "250.00"])
def test_online_payment_cannot_be_deleted_when_someone_tries(editor, open_invoice, refunded):
    # SPEC INV-14 SPEC INV-13
    payment = pay_online(open_invoice)
    if refunded != "0":
        invoice_payments.refund_payment(payment, refunded, actor=STRIPE)
    expected = state(open_invoice)
    assert_refused(
        lambda: invoice_payments.delete_payment(payment, actor=editor),
        "online_payment",
        "was collected online and cannot be deleted. Refund it instead.",
    )
    assert state(open_invoice) == expected
    assert open_invoice.applied_payments.get().payment == payment


def test_payment_deletion_refused_and_nothing_written_when_user_is_view_only(
    editor, viewer, open_invoice
):  # SPEC INV-13
    payment = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="50.00")
    assert_refused(
        lambda: invoice_payments.delete_payment(payment, actor=viewer),
        "permission_denied",
        "view-only",
    )
    assert state(open_invoice) == partly("50.00")


def test_second_deletion_refused_with_not_found_when_payment_already_deleted(
    editor, open_invoice
):  # SPEC INV-13
    payment = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="50.00")
    invoice_payments.delete_payment(payment, actor=editor)
    with pytest.raises(RuleViolation) as refused:
        invoice_payments.delete_payment(payment, actor=editor)
    assert refused.value.code == "not_found"
    assert state(open_invoice) == UNPAID


# --- INV-14: online payments and refunds ----------------------------------------------------


def test_online_payment_recorded_with_processor_details_when_checkout_completes(open_invoice):
    # SPEC INV-14
    payment = pay_online(open_invoice, processor_id="pi_3Nx", fees="7.55")
    payment.refresh_from_db()
    assert (payment.processor, payment.processor_payment_id) == (Processor.STRIPE, "pi_3Nx")
    assert (payment.amount, payment.currency) == (Decimal("250.00"), "USD")
    assert payment.fees_amount == Decimal("7.55")
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.SUCCEEDED, Decimal(0))
    assert (payment.method, payment.paid_on) == (PaymentMethod.CARD, TODAY())
    assert payment.is_online
    assert payment.customer_email == "ada@example.com"  # the billing contact
    assert state(open_invoice) == PAID
    started = open_invoice.checkouts.get()
    assert (started.status, started.payment) == (CheckoutStatus.COMPLETED, payment)
    assert [a.payment for a in open_invoice.applied_payments.all()] == [payment]
    event = edit_log(open_invoice).get(event_type="invoice.payment_recorded")
    assert (event.data["online"], event.actor_kind) == (True, ActorKind.INTEGRATION)


def test_online_payment_pays_the_rest_when_invoice_partly_paid_by_hand(editor, open_invoice):
    # SPEC INV-14 SPEC INV-11
    invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="100.00")
    pay_online(open_invoice, amount="150.00")
    assert state(open_invoice) == PAID
    assert {a.payment.is_online for a in open_invoice.applied_payments.all()} == {True, False}


def test_online_payment_recorded_once_when_processor_reports_it_twice(open_invoice):
    # SPEC INV-14
    payment = pay_online(open_invoice)
    token = open_invoice.checkouts.get().token
    before = written()
    again = checkout.complete_checkout(
        token, actor=STRIPE, processor_payment_id="pi_1", amount="250.00", fees="7.55"
    )
    assert again.pk == payment.pk
    assert written() == before  # no second payment, application or history entry
    assert state(open_invoice) == PAID


def test_repeat_report_changes_nothing_when_payment_was_refunded_meanwhile(open_invoice):
    # SPEC INV-14
    payment = pay_online(open_invoice)
    invoice_payments.refund_payment(payment, "50.00", actor=STRIPE)
    token = open_invoice.checkouts.get().token
    again = checkout.complete_checkout(
        token, actor=STRIPE, processor_payment_id="pi_1", amount="250.00"
    )
    assert (again.pk, again.status) == (payment.pk, PaymentStatus.PARTIALLY_REFUNDED)
    assert state(open_invoice) == partly("200.00")


def test_completion_refused_and_nothing_written_when_balance_changed_during_checkout(
    editor, open_invoice
):  # SPEC INV-14 SPEC INV-11
    started = checkout.start_checkout(open_invoice, actor=BUYER)
    invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="100.00")
    assert_refused(
        lambda: checkout.complete_checkout(
            started.token, actor=STRIPE, processor_payment_id="pi_late", amount="250.00"
        ),
        "amount_mismatch",
        "does not match the amount due of 150.00 USD",
    )
    assert state(open_invoice) == partly("100.00")
    assert not Payment.objects.filter(processor_payment_id="pi_late").exists()


def test_refund_state_and_invoice_follow_when_online_payment_refunded(open_invoice):
    # SPEC INV-14
    payment = pay_online(open_invoice)
    invoice_payments.refund_payment(payment, "50.00", actor=STRIPE)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        Decimal("50.00"),
    )
    assert state(open_invoice) == partly("200.00")
    assert open_invoice.paid_at is None

    invoice_payments.refund_payment(payment, "200.00", actor=STRIPE)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, Decimal(250))
    assert payment.collected_amount == 0
    assert state(open_invoice) == UNPAID
    # The refunded payment stays in the invoice's Payments section, with its refund state.
    assert open_invoice.applied_payments.get().payment == payment
    assert list(
        Entry.objects.for_object("payment", payment.pk)
        .filter(event_type__in=["payment.refunded", "payment.partially_refunded"])
        .order_by("id")
        .values_list("event_type", flat=True)
    ) == ["payment.partially_refunded", "payment.refunded"]  # SPEC PAY-5: full refund only once


@pytest.mark.parametrize(
    ("amount", "phrase"),
    [("250.01", "at most the 250.00 USD"), ("0", "more than zero"), ("-1", "more than zero")],
)
def test_refund_refused_and_nothing_written_when_amount_is_wrong(open_invoice, amount, phrase):
    # SPEC INV-14
    payment = pay_online(open_invoice)
    assert_refused(
        lambda: invoice_payments.refund_payment(payment, amount, actor=STRIPE),
        "invalid_amount",
        phrase,
    )
    assert state(open_invoice) == PAID


def test_refund_refused_and_nothing_written_when_user_is_view_only(viewer, open_invoice):
    # SPEC INV-14
    payment = pay_online(open_invoice)
    assert_refused(
        lambda: invoice_payments.refund_payment(payment, "10.00", actor=viewer),
        "permission_denied",
        "view-only",
    )


def test_invoice_paid_online_again_when_fully_refunded_and_buyer_pays_anew(open_invoice):
    # SPEC INV-14
    first = pay_online(open_invoice, processor_id="pi_first")
    invoice_payments.refund_payment(first, "250.00", actor=STRIPE)
    pay_online(open_invoice, processor_id="pi_second")
    assert state(open_invoice) == PAID
    assert open_invoice.applied_payments.count() == 2


def test_completion_refused_when_processor_id_belongs_to_another_checkout(make_invoice):
    # SPEC INV-14
    first, second = make_invoice(finalized=True), make_invoice(finalized=True)
    pay_online(first, processor_id="pi_shared")
    started = checkout.start_checkout(second, actor=BUYER)
    assert_refused(
        lambda: checkout.complete_checkout(
            started.token, actor=STRIPE, processor_payment_id="pi_shared", amount="250.00"
        ),
        "duplicate_payment",
        "pi_shared is already recorded as payment",
    )
    assert state(second) == UNPAID
    started.refresh_from_db()
    assert (started.status, started.payment) == (CheckoutStatus.OPEN, None)
