from decimal import Decimal

import pytest

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.payments import services
from faktura.payments.models import Payment, PaymentStatus

STRIPE = Actor.integration("stripe")


def test_online_payment_stored_once_when_reported_twice(contact):  # SPEC INV-14
    first, created = services.record_online_payment(
        actor=STRIPE, processor_payment_id="pi_9", amount=Decimal("12.50"), currency="eur",
        fees=Decimal("0.66"), contact=contact,
    )  # fmt: skip
    again, created_again = services.record_online_payment(
        actor=STRIPE, processor_payment_id="pi_9", amount=Decimal("12.50"), currency="EUR"
    )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert (first.currency, first.fees_amount, first.customer_email) == (
        "EUR",
        Decimal("0.66"),
        "ada@example.com",
    )
    assert Payment.objects.count() == 1


def test_refund_refused_when_more_than_is_held(system):  # SPEC INV-14
    payment, _ = services.record_online_payment(
        actor=STRIPE, processor_payment_id="pi_r", amount=Decimal("30.00"), currency="USD"
    )
    services.record_refund(payment, "10.00", actor=STRIPE)
    with pytest.raises(RuleViolation, match="at most the 20.00 USD") as refused:
        services.record_refund(payment, "20.01", actor=STRIPE)
    assert refused.value.code == "invalid_amount"
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        Decimal("10.00"),
    )
    assert payment.collected_amount == Decimal("20.00")


def test_unapplied_manual_payment_deleted_and_online_one_kept(system):  # SPEC INV-13
    manual = services.create_manual_payment(actor=system, amount="5.00", currency="USD")
    services.delete_manual_payment(manual, actor=system)
    assert not Payment.objects.filter(pk=manual.pk).exists()
    online, _ = services.record_online_payment(
        actor=STRIPE, processor_payment_id="pi_k", amount=Decimal("5.00"), currency="USD"
    )
    with pytest.raises(RuleViolation, match="Refund it instead"):
        services.delete_manual_payment(online, actor=system)
    assert Payment.objects.filter(pk=online.pk).exists()


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"amount": "5", "currency": "XYZ"}, "not a supported currency"),
        ({"amount": "5", "currency": "USD", "method": "barter"}, "Unknown payment method"),
        ({"amount": "5.5", "currency": "JPY"}, "more decimals than JPY allows"),
    ],
)
def test_manual_payment_refused_when_input_is_invalid(system, kwargs, phrase):  # SPEC INV-11
    with pytest.raises(RuleViolation, match=phrase):
        services.create_manual_payment(actor=system, **kwargs)
    assert not Payment.objects.exists()
