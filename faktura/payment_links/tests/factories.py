"""What the payment link tests share: a paid session as stripe_payments reports it."""

from decimal import Decimal

from faktura.stripe_payments.checkout_sessions import PaidSession


def paid_session(
    *,
    reference: str,
    amount: Decimal,
    currency: str = "USD",
    session_id: str = "cs_test_links",
    payment_intent_id: str = "pi_test_links",
    fee: Decimal = Decimal("0"),
    customer_email: str = "",
    customer_name: str = "",
) -> PaidSession:
    """stripe_payments' PaidSession with the defaults a test does not care about."""
    return PaidSession(
        session_id=session_id,
        payment_intent_id=payment_intent_id,
        amount=amount,
        currency=currency,
        fee=fee,
        customer_email=customer_email,
        customer_name=customer_name,
        reference=reference,
    )
