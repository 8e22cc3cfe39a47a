"""Races on PostgreSQL with real threads: numbering (INV-22) and edit vs. payment (INV-9)."""

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.invoices import checkout, services
from faktura.invoices.models import (
    Checkout,
    CheckoutStatus,
    Invoice,
    InvoiceNumberCounter,
    InvoiceStatus,
)
from faktura.payments.models import Payment

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: run bin/test, which starts one"
    ),
]


def in_thread[T](work: Callable[[], T]) -> T:
    try:
        return work()
    finally:
        connection.close()  # each thread has its own connection; leave none behind


def test_numbers_unique_and_gapless_when_200_invoices_finalize_at_once(make_invoice, system):
    # SPEC INV-22
    drafts = [make_invoice() for _ in range(200)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        finalized = list(
            pool.map(
                lambda d: in_thread(lambda: services.finalize_invoice(d, actor=system)), drafts
            )
        )
    numbers = sorted(i.number_seq for i in finalized if i.number_seq is not None)
    assert numbers == list(range(1, 201))
    stored = Invoice.objects.values_list("number", flat=True)
    assert len(set(stored)) == 200
    assert InvoiceNumberCounter.objects.get().last_number == 200


def race(*workers: Callable[[], object]) -> list[object]:
    """Start the workers together (a barrier) and return each result or RuleViolation."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = in_thread(workers[index])
        except RuleViolation as refused:
            results[index] = refused

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def after(delay: float, work: Callable[[], object]) -> Callable[[], object]:
    def delayed() -> object:
        time.sleep(delay)
        return work()

    return delayed


def test_edit_and_checkout_completion_never_both_win_when_racing(make_invoice, system, account):
    # SPEC INV-9
    account(allow_editing_finalized_invoices=True)
    buyer, stripe = Actor.system("buyer"), Actor.integration("stripe")
    wins = {"edit": 0, "payment": 0}
    for round_number in range(50):
        invoice = make_invoice(finalized=True)
        started = checkout.start_checkout(invoice, actor=buyer)
        new_due = invoice.due_date + dt.timedelta(days=10)
        processor_id = f"pi_race_{round_number}"
        # Alternate which side waits a moment after the barrier, so both orders happen.
        edit_delay, pay_delay = (0.0, 0.005) if round_number % 2 else (0.005, 0.0)
        edit_result, pay_result = race(
            after(
                edit_delay,
                partial(
                    services.update_invoice, invoice, actor=system, values={"hs_due_date": new_due}
                ),
            ),
            after(
                pay_delay,
                partial(
                    checkout.complete_checkout,
                    started.token,
                    actor=stripe,
                    processor_payment_id=processor_id,
                    amount="250.00",
                ),
            ),
        )

        refused = [isinstance(r, RuleViolation) for r in (edit_result, pay_result)]
        assert refused.count(True) == 1, f"round {round_number}: {edit_result!r} {pay_result!r}"
        invoice.refresh_from_db()
        started.refresh_from_db()
        if refused == [False, True]:  # the edit won
            wins["edit"] += 1
            assert started.status == CheckoutStatus.CANCELLED
            assert (invoice.due_date, invoice.status) == (new_due, InvoiceStatus.OPEN)
            assert not Payment.objects.filter(processor_payment_id=processor_id).exists()
        else:  # the payment won
            wins["payment"] += 1
            assert started.status == CheckoutStatus.COMPLETED
            assert (invoice.status, invoice.balance_due) == (InvoiceStatus.PAID, Decimal(0))
            assert invoice.due_date != new_due
        assert not Checkout.objects.filter(invoice=invoice, status=CheckoutStatus.OPEN).exists()
    # Both orders happened, so both refusal paths were exercised under real contention.
    assert wins["edit"] > 0
    assert wins["payment"] > 0
