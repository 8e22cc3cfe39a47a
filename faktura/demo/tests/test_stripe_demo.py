"""The demo's Stripe (issue 16), against a stripe_sandbox process of its own: the first start
connects the sandbox's demo account, registers the web server's webhook endpoint and makes a
payment link; a second start changes nothing; a sandbox that is down leaves the demo as it was,
with the reason said. The web port is never listened on: Faktura's services run in-process."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from faktura.accounts.models import User
from faktura.demo.seed import seed_demo
from faktura.demo.stripe_demo import DEMO_LINK, set_up_demo_stripe
from faktura.demo.stripe_sandbox import DEMO_SECRET_KEY
from faktura.history.models import Entry
from faktura.payment_links.models import PaymentLink
from faktura.stripe_payments import connection
from faktura.stripe_payments.models import StripeConnection
from tests.postgres import _free_port
from tests.stripe import StripeSandbox, running_sandbox

pytestmark = pytest.mark.django_db

WEB_URL = "http://127.0.0.1:8141/"


@pytest.fixture
def sandbox(settings: Any) -> Iterator[StripeSandbox]:
    # The demo account is the same in every sandbox: this test has a process of its own.
    for started in running_sandbox():
        settings.STRIPE_API_BASE = started.base_url
        settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
        yield started


def endpoints(sandbox: StripeSandbox) -> list[dict[str, Any]]:
    answer = requests.get(
        f"{sandbox.base_url}/v1/webhook_endpoints",
        headers={"Authorization": f"Bearer {DEMO_SECRET_KEY}"},
        timeout=10,
    )
    answer.raise_for_status()
    return list(answer.json()["data"])


# SPEC PAY-1
# SPEC PAY-6
def test_the_first_start_connects_the_demo_account_with_webhooks_and_a_payment_link(sandbox):
    admin = User.objects.get(username=seed_demo().username)
    said: list[str] = []

    set_up_demo_stripe(admin, web_url=WEB_URL, say=said.append)

    view = connection.describe()
    assert view.connected
    assert view.webhook_secret_set
    assert not view.key_from_environment
    assert connection.secret_key() == DEMO_SECRET_KEY  # stored encrypted, as Settings does
    [endpoint] = endpoints(sandbox)
    assert endpoint["url"] == "http://127.0.0.1:8141/stripe/webhook/"
    link = PaymentLink.objects.get(name=DEMO_LINK)
    assert [(i.name, i.quantity) for i in link.items.all()] == [
        ("Security audit", Decimal(1)),
        ("Consulting hour", Decimal(8)),
    ]
    assert link.total == Decimal("6000.00")
    [message] = said
    assert f"{WEB_URL}l/{link.token}/" in message
    assert "4242 4242 4242 4242" in message

    history = Entry.objects.count()
    set_up_demo_stripe(admin, web_url=WEB_URL, say=said.append)  # a second start
    assert (StripeConnection.objects.count(), PaymentLink.objects.count()) == (1, 1)
    assert len(endpoints(sandbox)) == 1
    assert Entry.objects.count() == history


def test_a_sandbox_that_is_down_leaves_the_demo_as_it_was_and_says_so(settings: Any):
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{_free_port()}"
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_NETWORK_RETRIES = 0
    admin = User.objects.get(username=seed_demo().username)
    said: list[str] = []

    set_up_demo_stripe(admin, web_url=WEB_URL, say=said.append)

    assert not StripeConnection.objects.exists()
    assert not PaymentLink.objects.exists()
    [message] = said
    assert message.startswith("Stripe sandbox: the demo could not be set up: Faktura could not")
    assert settings.STRIPE_API_BASE in message  # the reason: where Faktura tried to reach it
