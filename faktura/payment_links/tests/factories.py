"""What the payment link tests share: a paid session as stripe_payments reports it."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class PaidSessionFacts:
    """The fields of stripe_payments' PaidSession a completer reads."""

    reference: str
    amount: Decimal
    currency: str = "USD"
    session_id: str = "cs_test_links"
    payment_intent_id: str = "pi_test_links"
    fee: Decimal = Decimal("0")
    customer_email: str = ""
    customer_name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
