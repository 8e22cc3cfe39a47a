"""The hosted checkout page in Chromium, as a payer uses it."""

from __future__ import annotations

from typing import Any

import pytest
import stripe
from playwright.sync_api import Page, expect

from stripe_sandbox.tests.conftest import Receiver, new_session

pytestmark = pytest.mark.browser


def open_session(client: stripe.StripeClient, receiver: Receiver) -> Any:
    return new_session(
        client,
        success_url=f"{receiver.base_url}/paid?session={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{receiver.base_url}/invoice",
    )


def fill_card(page: Page, number: str) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiration (MM / YY)").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Cardholder name").fill("Jane Payer")


def test_4242_pays_and_lands_on_the_success_url(
    page: Page, client: stripe.StripeClient, receiver: Receiver
) -> None:
    session = open_session(client, receiver)
    page.set_default_timeout(15_000)
    page.goto(session.url)
    expect(page.get_by_text("Invoice INV-0001")).to_be_visible()
    expect(page.locator("#total")).to_have_text("120.00 EUR")
    expect(page.get_by_label("Email")).to_have_value("payer@example.com")
    expect(page.get_by_role("link", name="← Back")).to_have_attribute(
        "href", f"{receiver.base_url}/invoice"
    )
    fill_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay 120.00 EUR").click()
    expect(page.get_by_role("heading", name="Back at the seller")).to_be_visible()
    assert page.url == f"{receiver.base_url}/paid?session={session.id}"
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    page.goto(session.url)
    expect(page.get_by_text("This checkout session is already paid.")).to_be_visible()


def test_0002_shows_the_decline(
    page: Page, client: stripe.StripeClient, receiver: Receiver
) -> None:
    session = open_session(client, receiver)
    page.set_default_timeout(15_000)
    page.goto(session.url)
    fill_card(page, "4000 0000 0000 0002")
    page.get_by_role("button", name="Pay 120.00 EUR").click()
    expect(page.get_by_role("alert")).to_have_text("Your card was declined.")
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_3184_asks_for_authentication(
    page: Page, client: stripe.StripeClient, receiver: Receiver
) -> None:
    session = open_session(client, receiver)
    page.set_default_timeout(15_000)
    page.goto(session.url)
    fill_card(page, "4000 0025 0000 3184")
    page.get_by_role("button", name="Pay 120.00 EUR").click()
    expect(page.get_by_role("heading", name="Confirm your payment")).to_be_visible()
    page.get_by_role("button", name="Fail").click()
    expect(page.get_by_role("alert")).to_contain_text("unable to authenticate")
    fill_card(page, "4000 0025 0000 3184")
    page.get_by_role("button", name="Pay 120.00 EUR").click()
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("heading", name="Back at the seller")).to_be_visible()
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
