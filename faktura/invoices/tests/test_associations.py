"""Contacts and companies on an invoice (INV-2): added and removed by services that lock the
invoice, check the rules and record history."""

import pytest

from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.history.queries import property_history
from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.issued import buyer_of

pytestmark = pytest.mark.django_db


# SPEC INV-2
def test_contact_added_after_the_billing_contact_and_history_recorded(
    editor, draft_invoice, contact, grace
):
    edit = invoices.add_invoice_association(draft_invoice, grace, actor=editor)

    assert list(draft_invoice.contacts_in_order()) == [contact, grace]
    assert edit.customer_message is None  # a draft: nothing to tell the customer
    latest = property_history(draft_invoice, "hs_contacts").first()
    assert latest is not None
    assert "Grace Hopper" in (latest.new_value or "")
    assert latest.actor_label == "editor"


def test_contact_added_twice_or_removed_when_absent_is_refused(editor, draft_invoice, grace):
    with pytest.raises(RuleViolation, match="not a contact on this invoice"):
        invoices.remove_invoice_association(draft_invoice, grace, actor=editor)
    invoices.add_invoice_association(draft_invoice, grace, actor=editor)
    with pytest.raises(RuleViolation, match="already a contact on this invoice"):
        invoices.add_invoice_association(draft_invoice, grace, actor=editor)


def test_company_added_and_removed(editor, draft_invoice, company):
    invoices.add_invoice_association(draft_invoice, company, actor=editor)
    assert list(draft_invoice.companies.all()) == [company]
    with pytest.raises(RuleViolation, match="already a company"):
        invoices.add_invoice_association(draft_invoice, company, actor=editor)
    invoices.remove_invoice_association(draft_invoice, company, actor=editor)
    assert not draft_invoice.companies.exists()


# SPEC INV-7
def test_billing_contact_changed_on_a_finalized_invoice_is_an_edit_with_a_customer_message(
    editor, open_invoice, contact, grace, account
):
    account(allow_editing_finalized_invoices=True)
    invoices.add_invoice_association(open_invoice, grace, actor=editor)
    edit = invoices.bill_invoice_to(open_invoice, grace, actor=editor)
    assert list(open_invoice.contacts_in_order()) == [grace, contact]
    assert edit.customer_message is not None
    assert [change.label for change in edit.changes] == ["Bill to", "Billing email"]


# SPEC DOC-2
def test_an_invoice_bills_its_oldest_company_until_another_is_chosen(
    editor, system, draft_invoice, company
):
    other = crm.create_company(actor=system, name="Jacquard Looms", address="1 Loom Street")
    invoices.add_invoice_association(draft_invoice, company, actor=editor)
    invoices.add_invoice_association(draft_invoice, other, actor=editor)
    draft_invoice.refresh_from_db()
    assert draft_invoice.billed_company == company
    assert buyer_of(draft_invoice).name == "Analytical Engines Ltd"
    assert buyer_of(draft_invoice).contact_name == "Ada Lovelace"

    invoices.bill_invoice_to(draft_invoice, other, actor=editor)
    draft_invoice.refresh_from_db()
    assert draft_invoice.billed_company == other
    assert buyer_of(draft_invoice).address_lines == ["1 Loom Street"]
    billed = property_history(draft_invoice, "billed_company_id").first()
    assert billed is not None
    assert billed.new_value == str(other.pk)

    # Taking the billed company off bills the one left.
    invoices.remove_invoice_association(draft_invoice, other, actor=editor)
    draft_invoice.refresh_from_db()
    assert draft_invoice.billed_company == company


# SPEC DOC-2
def test_only_an_associated_company_or_contact_can_be_billed(editor, draft_invoice, company, grace):
    with pytest.raises(RuleViolation, match="not a company on this invoice"):
        invoices.bill_invoice_to(draft_invoice, company, actor=editor)
    with pytest.raises(RuleViolation, match="not a contact on this invoice"):
        invoices.bill_invoice_to(draft_invoice, grace, actor=editor)


def test_an_archived_contact_can_be_removed_but_not_added(system, editor, draft_invoice, grace):
    invoices.add_invoice_association(draft_invoice, grace, actor=editor)
    crm.archive_contact(grace, actor=system)
    invoices.remove_invoice_association(draft_invoice, grace, actor=editor)
    assert grace not in draft_invoice.contacts.all()
    with pytest.raises(RuleViolation, match="is archived, so it cannot be added to an invoice"):
        invoices.add_invoice_association(draft_invoice, grace, actor=editor)


@pytest.mark.parametrize(
    ("situation", "reason"),
    [
        ("setting_off", "Editing finalized invoices is turned off"),  # SPEC INV-6
        ("payment", "on it and cannot be edited"),  # SPEC INV-8
        ("voided", "is voided: its contacts and companies can no longer change"),  # SPEC INV-23
        ("viewer", "view-only access"),
    ],
)
def test_associations_of_a_finalized_invoice_follow_the_edit_rules(
    request, editor, system, open_invoice, company, account, situation, reason
):
    actor = request.getfixturevalue("viewer") if situation == "viewer" else editor
    if situation != "setting_off":
        account(allow_editing_finalized_invoices=True)
    if situation == "payment":
        record_invoice_payment(open_invoice, actor=system, amount="1.00")
    if situation == "voided":
        invoices.void_invoice(open_invoice, actor=system)

    with pytest.raises(RuleViolation, match=reason):
        invoices.add_invoice_association(open_invoice, company, actor=actor)
    assert not open_invoice.companies.exists()
