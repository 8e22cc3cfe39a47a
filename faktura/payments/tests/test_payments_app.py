"""Payment records on their own (INV-11, INV-13, INV-14): create, search, refund, delete."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.history.models import Entry
from faktura.payments import services
from faktura.payments.models import Payment, PaymentMethod, PaymentStatus, Processor
from faktura.payments.queries import search_payments

STRIPE = Actor.integration("stripe")


def online(processor_id: str, amount: str = "30.00", currency: str = "USD") -> Payment:
    payment, _ = services.record_online_payment(
        actor=STRIPE, processor_payment_id=processor_id, amount=amount, currency=currency
    )
    return payment


# --- manual payments -------------------------------------------------------------------------


def test_manual_payment_stored_with_every_detail_when_created(system, contact):  # SPEC INV-11
    paid_on = timezone.localdate() - dt.timedelta(days=5)
    payment = services.create_manual_payment(
        actor=system,
        amount="1,200.50",
        currency=" nok ",
        paid_on=paid_on,
        method=PaymentMethod.SEPA,
        reference="  KID 12345  ",
        note="  Paid early  ",
        contact=contact,
    )
    payment.refresh_from_db()
    assert (payment.amount, payment.currency, payment.paid_on) == (
        Decimal("1200.50"),
        "NOK",
        paid_on,
    )
    assert (payment.method, payment.reference, payment.note) == ("sepa", "KID 12345", "Paid early")
    assert (payment.processor, payment.processor_payment_id) == (Processor.NONE, None)
    assert (payment.status, payment.refunded_amount, payment.fees_amount) == (
        PaymentStatus.SUCCEEDED,
        0,
        0,
    )
    assert (payment.contact, payment.customer_email) == (contact, "ada@example.com")
    assert not payment.is_online
    assert payment.collected_amount == Decimal("1200.50")
    assert (
        Entry.objects.for_object("payment", payment.pk)
        .filter(event_type="payment.created")
        .exists()
    )


@pytest.mark.parametrize(
    ("kwargs", "code", "phrase"),
    [
        ({"amount": "5", "currency": "XYZ"}, "invalid_currency", "not a supported currency"),
        ({"amount": "5", "currency": ""}, "invalid_currency", "not a supported currency"),
        ({"amount": "5", "currency": "USD", "method": "barter"}, "rule_violation", "Unknown"),
        ({"amount": "5.5", "currency": "JPY"}, "invalid_amount", "more decimals than JPY allows"),
        ({"amount": "5.0001", "currency": "KWD"}, "invalid_amount", "more decimals than KWD"),
        ({"amount": "1e3", "currency": "USD"}, "invalid_number", "exponent notation"),  # DOC-4
        ({"amount": "0", "currency": "USD"}, "invalid_amount", "more than zero"),
        ({"amount": "-1", "currency": "USD"}, "invalid_amount", "more than zero"),
        ({"amount": "abc", "currency": "USD"}, "invalid_number", "must be a number"),
        (
            {"amount": "5", "currency": "USD", "paid_on": dt.date(2999, 1, 1)},
            "invalid_date",
            "cannot be in the future",
        ),
    ],
)
def test_manual_payment_refused_and_nothing_written_when_input_is_invalid(
    system, kwargs, code, phrase
):  # SPEC INV-11
    entries = Entry.objects.count()
    with pytest.raises(RuleViolation, match=phrase) as refused:
        services.create_manual_payment(actor=system, **kwargs)
    assert refused.value.code == code
    assert not Payment.objects.exists()
    assert Entry.objects.count() == entries


def test_unapplied_manual_payment_deleted_and_online_one_kept(system):  # SPEC INV-13
    manual = services.create_manual_payment(actor=system, amount="5.00", currency="USD")
    manual_id = manual.pk
    services.delete_manual_payment(manual, actor=system)
    assert not Payment.objects.filter(pk=manual_id).exists()
    assert (
        Entry.objects.for_object("payment", manual_id).filter(event_type="payment.deleted").exists()
    )
    kept = online("pi_k", "5.00")
    with pytest.raises(RuleViolation, match="Refund it instead") as refused:
        services.delete_manual_payment(kept, actor=system)
    assert refused.value.code == "online_payment"
    assert Payment.objects.filter(pk=kept.pk).exists()


# --- searching payments to apply (INV-11) ----------------------------------------------------


@pytest.fixture
def payments(system) -> dict[str, Payment]:
    grace = crm.create_contact(actor=system, firstname="Grace", email="grace@example.com")
    return {
        "grace": services.create_manual_payment(
            actor=system, amount="80.00", currency="USD", contact=grace, reference="Wire 77"
        ),
        "euro": services.create_manual_payment(actor=system, amount="80.00", currency="EUR"),
        "other": services.create_manual_payment(actor=system, amount="12.34", currency="USD"),
        "card": online("pi_3Abc", "45.67"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80.00", {"grace", "euro"}),
        ("80", {"grace", "euro"}),
        ("12.34", {"other"}),
        ("12.3", set()),
        ("grace@example.com", {"grace"}),
        ("GRACE@EXAMPLE.COM", {"grace"}),
        ("grace@example", set()),
        ("wire 77", {"grace"}),
        ("pi_3Abc", {"card"}),
        ("", set()),
        ("   ", set()),
        ("nobody@example.com", set()),
        ("NaN", set()),
        ("99999999999999999999999", set()),
    ],
)
def test_search_finds_exactly_the_matching_payments_when_searched(payments, text, expected):
    # SPEC INV-11
    # Digits also match a payment id; ids are not fixed across databases, so allow for that.
    same_id = {p for p in payments.values() if str(p.pk) == text.strip()}
    assert set(search_payments(text)) == {payments[name] for name in expected} | same_id


def test_search_finds_a_payment_by_its_id_when_searched(payments):  # SPEC INV-11
    for payment in payments.values():
        assert payment in search_payments(str(payment.pk))


def test_search_keeps_to_the_invoice_currency_when_one_is_given(payments):  # SPEC INV-11
    assert list(search_payments("80.00", currency="USD")) == [payments["grace"]]
    assert list(search_payments("80.00", currency="EUR")) == [payments["euro"]]


def test_search_lists_newest_first_and_at_most_the_limit_when_many_match(system):
    # SPEC INV-11
    today = timezone.localdate()
    made = [
        services.create_manual_payment(
            actor=system, amount="9.99", currency="USD", paid_on=today - dt.timedelta(days=d)
        )
        for d in (3, 1, 2)
    ]
    assert list(search_payments("9.99")) == [made[1], made[2], made[0]]
    assert list(search_payments("9.99", limit=2)) == [made[1], made[2]]


# --- online payments and refunds (INV-14) ----------------------------------------------------


def test_online_payment_stored_once_when_reported_twice(contact):  # SPEC INV-14
    first, created = services.record_online_payment(
        actor=STRIPE, processor_payment_id="pi_9", amount=Decimal("12.50"), currency="eur",
        fees=Decimal("0.66"), contact=contact,
    )  # fmt: skip
    again, created_again = services.record_online_payment(
        actor=STRIPE, processor_payment_id="pi_9", amount=Decimal("99.00"), currency="EUR"
    )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    again.refresh_from_db()
    assert (again.amount, again.currency, again.fees_amount, again.customer_email) == (
        Decimal("12.50"),
        "EUR",
        Decimal("0.66"),
        "ada@example.com",
    )
    assert (again.processor, again.method, again.status) == (
        Processor.STRIPE,
        PaymentMethod.CARD,
        PaymentStatus.SUCCEEDED,
    )
    assert Payment.objects.count() == 1
    assert Entry.objects.filter(event_type="payment.created").count() == 1


def test_online_payment_keeps_the_buyers_email_when_no_contact_is_known(db):  # SPEC INV-14
    payment, _ = services.record_online_payment(
        actor=STRIPE,
        processor_payment_id="pi_e",
        amount="10",
        currency="USD",
        customer_email="buyer@example.com",
    )
    assert (payment.contact, payment.customer_email) == (None, "buyer@example.com")
    assert list(search_payments("buyer@example.com")) == [payment]


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"processor_payment_id": ""}, "needs the processor's payment id"),
        ({"amount": "10.001"}, "more decimals than USD allows"),
        ({"fees": "0.001"}, "Fees 0.001 has more decimals"),
        ({"currency": "ABC"}, "not a supported currency"),
    ],
)
def test_online_payment_refused_and_nothing_written_when_report_is_invalid(db, kwargs, phrase):
    # SPEC INV-14
    report = {"processor_payment_id": "pi_bad", "amount": "10.00", "currency": "USD", **kwargs}
    with pytest.raises(RuleViolation, match=phrase):
        services.record_online_payment(actor=STRIPE, **report)
    assert not Payment.objects.exists()


@pytest.mark.parametrize(("amount", "fees"), [("10.00", "-3"), ("10.00", "10.01"), ("0", "0")])
def test_online_payment_refused_when_amount_or_fees_are_out_of_range(db, amount, fees):
    # SPEC INV-14
    with pytest.raises(RuleViolation, match="fees between zero and the amount") as refused:
        services.record_online_payment(
            actor=STRIPE, processor_payment_id="pi_f", amount=amount, currency="USD", fees=fees
        )
    assert refused.value.code == "invalid_amount"
    assert not Payment.objects.exists()


def test_refund_state_follows_when_refunded_in_parts(db):  # SPEC INV-14
    payment = online("pi_r", "30.00")
    services.record_refund(payment, "10.00", actor=STRIPE)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount, payment.collected_amount) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        Decimal("10.00"),
        Decimal("20.00"),
    )
    services.record_refund(payment, "20.00", actor=STRIPE)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount, payment.collected_amount) == (
        PaymentStatus.REFUNDED,
        Decimal("30.00"),
        0,
    )
    # SPEC PAY-5: `payment.refunded` (QB-11's trigger) only for the refund that completes it.
    refunds = Entry.objects.for_object("payment", payment.pk).filter(
        event_type__in=["payment.refunded", "payment.partially_refunded"]
    )
    assert sorted((e.event_type, Decimal(e.data["amount"])) for e in refunds) == [
        ("payment.partially_refunded", Decimal(10)),
        ("payment.refunded", Decimal(20)),
    ]


@pytest.mark.parametrize(
    ("amount", "code", "phrase"),
    [
        ("20.01", "invalid_amount", "at most the 20.00 USD still held"),
        ("0", "invalid_amount", "more than zero"),
        ("-5", "invalid_amount", "more than zero"),
        ("1.005", "invalid_amount", "Refund amount 1.005 has more decimals"),
        ("x", "invalid_number", "Refund amount must be a number"),
    ],
)
def test_refund_refused_and_nothing_written_when_amount_is_wrong(db, amount, code, phrase):
    # SPEC INV-14
    payment = online("pi_r", "30.00")
    services.record_refund(payment, "10.00", actor=STRIPE)
    with pytest.raises(RuleViolation, match=phrase) as refused:
        services.record_refund(payment, amount, actor=STRIPE)
    assert refused.value.code == code
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        Decimal("10.00"),
    )


def test_refund_refused_when_payment_is_fully_refunded(db):  # SPEC INV-14
    payment = online("pi_full", "30.00")
    services.record_refund(payment, "30.00", actor=STRIPE)
    with pytest.raises(RuleViolation, match="at most the 0.00 USD"):
        services.record_refund(payment, "0.01", actor=STRIPE)


@pytest.mark.parametrize(
    ("status", "refunded", "collected"),
    [
        (PaymentStatus.PROCESSING, "0", "0"),
        (PaymentStatus.FAILED, "0", "0"),
        (PaymentStatus.SUCCEEDED, "0", "30.00"),
        (PaymentStatus.PARTIALLY_REFUNDED, "12.50", "17.50"),
        (PaymentStatus.REFUNDED, "30.00", "0"),
    ],
)
def test_collected_amount_counts_only_money_received_when_status_varies(
    status, refunded, collected
):  # SPEC INV-14 SPEC INV-3
    payment = Payment(amount=Decimal("30.00"), status=status, refunded_amount=Decimal(refunded))
    assert payment.collected_amount == Decimal(collected)
