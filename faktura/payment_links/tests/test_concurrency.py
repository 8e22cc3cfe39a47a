"""PAY-6 on PostgreSQL: the same paid session completed by several threads at once (webhook
deliveries racing the buyer's return) makes one contact, one deal and one payment."""

import pytest
from django.db import connection

from faktura.crm.models import Contact
from faktura.payment_links import services
from faktura.payment_links.models import PurchaseStatus
from faktura.payment_links.services import ItemInput
from faktura.payment_links.tests.factories import paid_session
from faktura.payments.models import Payment
from faktura.sales.models import Deal
from tests.threads import at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: run bin/test, which starts one"
    ),
]


# SPEC PAY-6
def test_completing_one_purchase_from_many_threads_creates_everything_once(editor, product):
    link = services.create_link(
        actor=editor, name="Race", currency="USD", items=[ItemInput(product.pk, 1)]
    )
    for round_ in range(5):
        purchase = services.open_purchase(link, name="Ada Lovelace", email="ada@example.com")
        paid = paid_session(
            reference=str(purchase.pk),
            amount=purchase.amount,
            payment_intent_id=f"pi_race_{round_}",
        )
        results = at_once(*[lambda paid=paid: services.complete_purchase(paid) for _ in range(4)])
        assert all(isinstance(result, Payment) for result in results), results
        assert len({result.pk for result in results if isinstance(result, Payment)}) == 1
        purchase.refresh_from_db()
        assert purchase.status == PurchaseStatus.COMPLETED
    assert Payment.objects.count() == 5
    assert Deal.objects.filter(name="Payment Link").count() == 5
    # The buyer's email matched the contact the first round created.
    assert Contact.objects.count() == 1
    assert all(payment.deal_id for payment in Payment.objects.all())
