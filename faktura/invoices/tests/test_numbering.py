"""Invoice numbers (INV-22): increasing, gaps from deletions kept, reset only when empty."""

import pytest
from django.db import IntegrityError, transaction

from faktura.core.errors import RuleViolation
from faktura.invoices import numbering, services
from faktura.invoices.models import Invoice


def finalize(make_invoice, system) -> Invoice:
    return services.finalize_invoice(make_invoice(), actor=system)


def test_drafts_have_no_number_until_finalized(draft_invoice, system):  # SPEC INV-5 SPEC INV-22
    assert draft_invoice.number is None
    assert services.finalize_invoice(draft_invoice, actor=system).number == "INV-1"


def test_numbers_keep_increasing_when_last_and_middle_invoices_deleted(
    make_invoice, system, admin, account
):  # SPEC INV-22
    account(allow_deleting_invoices=True)
    first, middle, last = (finalize(make_invoice, system) for _ in range(3))
    services.delete_invoice(last, actor=admin)
    services.delete_invoice(middle, actor=admin)
    following = finalize(make_invoice, system)
    assert following.number == "INV-4"  # INV-2 and INV-3 stay gaps for good
    assert list(Invoice.objects.order_by("number_seq").values_list("number_seq", flat=True)) == [
        1,
        4,
    ]
    assert first.number == "INV-1"


def test_new_prefix_applies_to_later_invoices_only_when_changed(make_invoice, system, account):
    # SPEC INV-22
    earlier = finalize(make_invoice, system)
    account(invoice_number_prefix="NO-2026-")
    later = finalize(make_invoice, system)
    earlier.refresh_from_db()
    assert (earlier.number, later.number) == ("INV-1", "NO-2026-2")


def test_reset_refused_while_any_invoice_exists(make_invoice, system, admin, account):
    # SPEC INV-22
    account(allow_deleting_invoices=True)
    finalize(make_invoice, system)
    make_invoice()  # a draft counts too: "every invoice has been deleted"
    with pytest.raises(RuleViolation, match="2 invoice") as refused:
        numbering.reset_invoice_numbering(actor=admin)
    assert refused.value.code == "numbering_in_use"
    assert numbering.last_invoice_number() == 1


def test_reset_refused_when_user_is_not_super_admin(editor, db):  # SPEC INV-22
    with pytest.raises(RuleViolation, match="Only a super admin"):
        numbering.reset_invoice_numbering(actor=editor)


def test_numbering_restarts_when_every_invoice_was_deleted(make_invoice, system, admin, account):
    # SPEC INV-22
    account(allow_deleting_invoices=True)
    for invoice in [finalize(make_invoice, system) for _ in range(2)]:
        services.delete_invoice(invoice, actor=admin)
    numbering.reset_invoice_numbering(actor=admin, next_number=1000)
    assert finalize(make_invoice, system).number == "INV-1000"


def test_database_refuses_duplicate_number_when_forced(make_invoice, system):  # SPEC INV-22
    first = finalize(make_invoice, system)
    second = finalize(make_invoice, system)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=second.pk).update(number_seq=first.number_seq)
