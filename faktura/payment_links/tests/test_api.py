"""The API shows a payment link's deal and its payment associated both ways (PAY-6)."""

import pytest

from faktura.api.tests.conftest import ApiClient, token_for  # noqa: F401  (fixture)
from faktura.payment_links import services
from faktura.payment_links.services import ItemInput
from faktura.payment_links.tests.factories import paid_session

pytestmark = pytest.mark.django_db

V3 = "/crm/v3/objects"


# SPEC PAY-6
def test_the_api_shows_the_deal_and_payment_associated(client, token_for, editor, product):  # noqa: F811
    link = services.create_link(
        actor=editor, name="API", currency="USD", items=[ItemInput(product.pk, 1)]
    )
    purchase = services.open_purchase(link, name="Ada Lovelace", email="ada@example.com")
    payment = services.complete_purchase(
        paid_session(reference=str(purchase.pk), amount=purchase.amount, payment_intent_id="pi_api")
    )
    api = ApiClient(client, token_for())
    deal = api.get(f"{V3}/deals/{payment.deal_id}", associations="commerce_payments").json()
    assert [r["id"] for r in deal["associations"]["commerce_payments"]["results"]] == [
        str(payment.pk)
    ]
    paid = api.get(f"{V3}/commerce_payments/{payment.pk}", associations="deals").json()
    assert [r["id"] for r in paid["associations"]["deals"]["results"]] == [str(payment.deal_id)]
    assert deal["properties"]["dealname"] == "Payment Link"
    assert deal["properties"]["dealstage"] == "closedwon"
