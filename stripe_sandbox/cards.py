"""Stripe's test cards the sandbox knows, and what each one does."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Card:
    number: str
    brand: str
    outcome: str  # "succeed", "decline", "authenticate"
    refund_fails: bool = False
    decline_code: str = "generic_decline"
    funding: str = "credit"
    country: str = "US"

    @property
    def last4(self) -> str:
        return self.number[-4:]


CARDS = {
    card.number: card
    for card in (
        Card("4242424242424242", "visa", "succeed"),
        Card("4000056655665556", "visa", "succeed", funding="debit"),
        Card("5555555555554444", "mastercard", "succeed"),
        Card("4000000000000002", "visa", "decline"),
        Card("4000000000009995", "visa", "decline", decline_code="insufficient_funds"),
        Card("4000002500003184", "visa", "authenticate"),
        Card("4000000000005126", "visa", "succeed", refund_fails=True),
    )
}

DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
}


def card_for(number: str) -> Card | None:
    return CARDS.get("".join(number.split()).replace("-", ""))
