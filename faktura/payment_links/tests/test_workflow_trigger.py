"""QB-8: a deal-based workflow whose trigger is *deal name is any of "Payment Link"* enrolls the
deal a paid payment link creates, and no other deal."""

import pytest

from faktura.payment_links import services
from faktura.payment_links.services import ItemInput
from faktura.payment_links.tests.factories import paid_session
from faktura.sales import services as sales
from faktura.workflows.models import Enrollment
from faktura.workflows.tests.conftest import (  # noqa: F401  (fixtures)
    _ledgers_connected,
    _no_failures,
    live_workflow,
    ran,
    remember,
    run_feed,
    where,
)

pytestmark = pytest.mark.django_db


# SPEC QB-8
# SPEC PAY-6
def test_a_workflow_on_deal_name_payment_link_enrolls_the_link_deal(
    live_workflow,  # noqa: F811
    run_feed,  # noqa: F811
    editor,
    system,
    product,
):
    live_workflow(
        "deal", [remember("record it")], filters=where("dealname", "any_of", "Payment Link")
    )
    link = services.create_link(
        actor=editor, name="Support", currency="USD", items=[ItemInput(product.pk, 1)]
    )
    purchase = services.open_purchase(link, name="Ada Lovelace", email="ada@example.com")
    payment = services.complete_purchase(
        paid_session(reference=str(purchase.pk), amount=purchase.amount, payment_intent_id="pi_qb8")
    )
    other = sales.create_deal(actor=system, dealname="Payment Links workshop")

    assert run_feed().enrolled == 1

    assert payment.deal is not None
    assert ran(payment.deal) == ["record it"]
    assert ran(other) == []
    assert Enrollment.objects.get().object_id == payment.deal.pk
