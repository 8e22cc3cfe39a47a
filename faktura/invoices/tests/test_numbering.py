"""Invoice numbers (INV-22): increasing, gaps from deletions kept, reset only when empty.

Every test here creates all of its invoices (each test has a fresh database), so the numbers
are known.
"""

import pytest
from django.db import IntegrityError, transaction

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.history.models import Entry
from faktura.invoices import invoice_payments, numbering, services
from faktura.invoices.models import Invoice, InvoiceNumberCounter


def finalize(make_invoice, system) -> Invoice:
    return services.finalize_invoice(make_invoice(), actor=system)


def stored_numbers() -> list[tuple[int | None, str | None]]:
    return list(Invoice.objects.order_by("number_seq").values_list("number_seq", "number"))


def test_drafts_have_no_number_until_finalized(draft_invoice, system):
    # SPEC INV-5 SPEC INV-22
    assert (draft_invoice.number, draft_invoice.number_seq) == (None, None)
    assert numbering.last_invoice_number() == 0
    finalized = services.finalize_invoice(draft_invoice, actor=system)
    assert (finalized.number, finalized.number_seq) == ("INV-1", 1)
    assert numbering.last_invoice_number() == 1


def test_numbers_follow_the_order_of_finalizing_when_drafts_were_created_earlier(
    make_invoice, system
):  # SPEC INV-22
    older, newer = make_invoice(), make_invoice()
    assert services.finalize_invoice(newer, actor=system).number == "INV-1"
    assert services.finalize_invoice(older, actor=system).number == "INV-2"


def test_next_number_is_last_plus_one_when_the_last_invoice_was_deleted(
    make_invoice, system, admin, account
):  # SPEC INV-22
    account(allow_deleting_invoices=True)
    finalize(make_invoice, system)
    last = finalize(make_invoice, system)
    services.delete_invoice(last, actor=admin)
    assert finalize(make_invoice, system).number == "INV-3"  # INV-2 is never handed out again
    assert stored_numbers() == [(1, "INV-1"), (3, "INV-3")]


def test_numbers_keep_increasing_when_last_and_middle_invoices_deleted(
    make_invoice, system, admin, account
):  # SPEC INV-22
    account(allow_deleting_invoices=True)
    first, middle, last = (finalize(make_invoice, system) for _ in range(3))
    services.delete_invoice(last, actor=admin)
    services.delete_invoice(middle, actor=admin)
    following = finalize(make_invoice, system)
    assert following.number == "INV-4"  # INV-2 and INV-3 stay gaps for good
    assert stored_numbers() == [(1, "INV-1"), (4, "INV-4")]
    assert first.number == "INV-1"
    # Every gap is explained by an invoice.deleted event carrying its number.
    deleted = Entry.objects.filter(event_type="invoice.deleted")
    assert sorted(e.data["number"] for e in deleted) == ["INV-2", "INV-3"]


def test_no_number_used_when_drafts_are_deleted(make_invoice, system, editor):
    # SPEC INV-22
    for _ in range(3):
        services.delete_invoice(make_invoice(), actor=editor)
    assert finalize(make_invoice, system).number == "INV-1"


def test_no_number_used_when_finalizing_is_refused(make_invoice, system, contact):
    # SPEC INV-22: a refused finalization gives its number back
    no_contact = make_invoice(contacts=[])
    with pytest.raises(RuleViolation, match="at least one contact"):
        services.finalize_invoice(no_contact, actor=system)
    assert numbering.last_invoice_number() == 0
    assert finalize(make_invoice, system).number == "INV-1"


def test_new_prefix_applies_to_later_invoices_only_when_changed(make_invoice, system, account):
    # SPEC INV-22
    earlier = finalize(make_invoice, system)
    account(invoice_number_prefix="NO-2026-")
    later = finalize(make_invoice, system)
    account(invoice_number_prefix="")
    bare = finalize(make_invoice, system)
    earlier.refresh_from_db()
    assert (earlier.number, later.number, bare.number) == ("INV-1", "NO-2026-2", "3")
    assert stored_numbers() == [(1, "INV-1"), (2, "NO-2026-2"), (3, "3")]


def test_finalize_refused_with_a_reason_when_prefixed_number_is_already_taken(
    make_invoice, system, account
):  # SPEC INV-22
    account(invoice_number_prefix="INV-1")
    assert finalize(make_invoice, system).number == "INV-11"
    account(invoice_number_prefix="INV-")
    for _ in range(9):
        finalize(make_invoice, system)  # INV-2 … INV-10
    draft = make_invoice()
    with pytest.raises(RuleViolation, match="INV-11, is already used") as refused:
        services.finalize_invoice(draft, actor=system)
    assert refused.value.code == "number_taken"
    assert "Choose a different prefix" in refused.value.reason
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", None)
    assert numbering.last_invoice_number() == 10  # the refused number is given back
    account(invoice_number_prefix="F-")
    assert services.finalize_invoice(draft, actor=system).number == "F-11"


def test_reset_refused_while_any_invoice_exists(make_invoice, system, admin, account):
    # SPEC INV-22
    account(allow_deleting_invoices=True)
    finalize(make_invoice, system)
    make_invoice()  # a draft counts too: "every invoice has been deleted"
    with pytest.raises(RuleViolation, match="2 invoice") as refused:
        numbering.reset_invoice_numbering(actor=admin)
    assert refused.value.code == "numbering_in_use"
    assert "every invoice has been deleted" in refused.value.reason
    assert numbering.last_invoice_number() == 1
    assert finalize(make_invoice, system).number == "INV-2"


def test_reset_refused_for_good_when_a_paid_invoice_exists(make_invoice, system, admin, account):
    # SPEC INV-22: paid invoices cannot be deleted, so the numbering can never be reset
    account(allow_deleting_invoices=True)
    paid = finalize(make_invoice, system)
    invoice_payments.record_invoice_payment(paid, actor=admin, amount="250.00")
    with pytest.raises(RuleViolation, match="Only unpaid invoices can be deleted"):
        services.delete_invoice(paid, actor=admin)
    with pytest.raises(RuleViolation, match="Paid invoices cannot be deleted") as refused:
        numbering.reset_invoice_numbering(actor=admin)
    assert refused.value.code == "numbering_in_use"
    assert numbering.last_invoice_number() == 1


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_reset_refused_when_user_is_not_super_admin(request, db, who):  # SPEC INV-22
    with pytest.raises(RuleViolation, match="Only a super admin") as refused:
        numbering.reset_invoice_numbering(actor=request.getfixturevalue(who))
    assert refused.value.code == "permission_denied"
    assert numbering.last_invoice_number() == 0


def test_reset_refused_when_integration_tries_it(db):  # SPEC INV-22
    with pytest.raises(RuleViolation, match="Only a super admin"):
        numbering.reset_invoice_numbering(actor=Actor.integration("quickbooks"))


def test_reset_refused_when_next_number_is_below_one(admin):  # SPEC INV-22
    with pytest.raises(RuleViolation, match="start at 1 or higher"):
        numbering.reset_invoice_numbering(actor=admin, next_number=0)


def test_numbering_restarts_at_one_when_every_invoice_was_deleted(
    make_invoice, system, admin, editor, account
):  # SPEC INV-22
    account(allow_deleting_invoices=True)
    for invoice in [finalize(make_invoice, system) for _ in range(3)]:
        services.delete_invoice(invoice, actor=editor)
    services.delete_invoice(make_invoice(), actor=editor)
    assert numbering.last_invoice_number() == 3
    numbering.reset_invoice_numbering(actor=admin)
    assert numbering.last_invoice_number() == 0
    assert finalize(make_invoice, system).number == "INV-1"


def test_numbering_restarts_at_the_given_number_when_every_invoice_was_deleted(
    make_invoice, system, admin, account
):  # SPEC INV-22
    account(allow_deleting_invoices=True)
    for invoice in [finalize(make_invoice, system) for _ in range(2)]:
        services.delete_invoice(invoice, actor=admin)
    numbering.reset_invoice_numbering(actor=admin, next_number=1000)
    assert finalize(make_invoice, system).number == "INV-1000"
    assert finalize(make_invoice, system).number == "INV-1001"


def test_reset_works_when_no_invoice_was_ever_created(admin):  # SPEC INV-22
    numbering.reset_invoice_numbering(actor=admin, next_number=500)
    assert InvoiceNumberCounter.objects.get().last_number == 499


def test_database_refuses_duplicate_number_when_forced(make_invoice, system):  # SPEC INV-22
    first = finalize(make_invoice, system)
    second = finalize(make_invoice, system)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=second.pk).update(number_seq=first.number_seq)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=second.pk).update(number=first.number)
    assert stored_numbers() == [(1, "INV-1"), (2, "INV-2")]


def test_database_refuses_a_reused_number_when_the_counter_is_forced_back(make_invoice, system):
    # SPEC INV-22: the unique constraint is the backstop if the counter ever goes wrong
    finalize(make_invoice, system)
    InvoiceNumberCounter.objects.filter(pk=1).update(last_number=0)
    draft = make_invoice()
    with pytest.raises(IntegrityError):
        services.finalize_invoice(draft, actor=system)
    draft.refresh_from_db()
    assert (draft.status, draft.number_seq) == ("draft", None)
