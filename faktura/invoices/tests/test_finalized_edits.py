"""Editing a finalized invoice (SPEC INV-5…INV-8, INV-10) and the customer message (INV-7)."""

from decimal import Decimal

import pytest

from faktura.core.actors import Actor, ActorKind
from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.history.models import Entry
from faktura.history.queries import edit_log, property_history
from faktura.invoices import menu
from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import delete_payment, record_invoice_payment
from faktura.invoices.models import Invoice, InvoiceContact, InvoiceLine, InvoiceStatus
from faktura.invoices.properties import INVOICE
from faktura.payments.models import Payment

LINE = {"name": "Consulting hour", "unit_price": "100.00", "quantity": "2", "tax_rate": "25"}
THREE = {**LINE, "quantity": "3"}


def stored(invoice):
    """Everything a refused edit must leave untouched."""
    return {
        "invoice": Invoice.objects.filter(pk=invoice.pk).values().get(),
        "lines": list(InvoiceLine.objects.filter(invoice=invoice).values()),
        "contacts": list(
            InvoiceContact.objects.filter(invoice=invoice).values_list("contact_id", "position")
        ),
        "history": Entry.objects.count(),
        "payments": Payment.objects.count(),
    }


def acting(request, name):
    """The actor a parametrized test runs as."""
    if name in ("admin", "editor", "viewer"):
        return request.getfixturevalue(name)
    if name == "api_editor":
        return Actor.api(request.getfixturevalue("editor_user"), "API key of editor")
    if name == "api_viewer":
        return Actor.api(request.getfixturevalue("viewer_user"), "API key of viewer")
    if name == "workflow":
        return Actor.workflow("Late fee workflow")
    return Actor.integration("QuickBooks Online")


@pytest.fixture
def editing_on(account):
    account(allow_editing_finalized_invoices=True)


# INV-5 / INV-6: the setting and who may edit -------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor"])
# SPEC INV-5 SPEC INV-6
def test_edit_refused_with_nothing_written_when_setting_is_off(request, who, open_invoice):
    actor = acting(request, who)
    before = stored(open_invoice)
    with pytest.raises(RuleViolation, match="Editing finalized invoices is turned off") as refused:
        invoices.update_invoice(
            open_invoice, actor=actor, values={"hs_comments": "Changed"}, lines=[THREE]
        )
    assert refused.value.code == "setting_off"
    assert "'Allow editing finalized invoices'" in refused.value.reason
    assert stored(open_invoice) == before


@pytest.mark.parametrize("who", ["admin", "editor", "api_editor", "workflow", "integration"])
# SPEC INV-6
def test_edit_saved_when_setting_on_and_actor_may_edit(request, who, open_invoice, editing_on):
    actor = acting(request, who)
    number, token = open_invoice.number, open_invoice.public_token

    edit = invoices.update_invoice(
        open_invoice, actor=actor, values={"hs_comments": "Changed"}, lines=[THREE]
    )

    invoice = Invoice.objects.get(pk=open_invoice.pk)
    assert invoice.status == InvoiceStatus.OPEN
    assert invoice.comments == "Changed"
    assert invoice.lines.get().quantity == Decimal(3)
    assert (invoice.total, invoice.balance_due) == (Decimal("375.00"), Decimal("375.00"))
    # The invoice keeps its number and its public link.
    assert (invoice.number, invoice.public_token) == (number, token)
    assert edit.invoice.total == Decimal("375.00")
    total = property_history(invoice, "hs_amount_billed").first()
    assert total is not None
    assert (total.old_value, total.new_value) == ("250", "375")
    assert (total.actor_kind, total.actor_label) == (actor.kind, actor.label)
    assert total.actor_user_id == (actor.user.pk if actor.user else None)


@pytest.mark.parametrize("who", ["viewer", "api_viewer"])
# SPEC INV-6
def test_edit_refused_with_nothing_written_when_user_is_view_only(
    request, who, open_invoice, editing_on
):
    actor = acting(request, who)
    before = stored(open_invoice)
    with pytest.raises(RuleViolation, match="view-only access to invoices") as refused:
        invoices.update_invoice(open_invoice, actor=actor, values={"hs_comments": "Changed"})
    assert refused.value.code == "permission_denied"
    assert "Ask a super admin" in refused.value.reason
    assert stored(open_invoice) == before


# SPEC INV-6
def test_edit_refused_when_setting_turned_off_again(admin, open_invoice, account):
    account(allow_editing_finalized_invoices=True)
    invoices.update_invoice(open_invoice, actor=admin, values={"hs_comments": "First"})
    account(allow_editing_finalized_invoices=False)
    before = stored(open_invoice)
    with pytest.raises(RuleViolation, match="turned off") as refused:
        invoices.update_invoice(open_invoice, actor=admin, values={"hs_comments": "Second"})
    assert refused.value.code == "setting_off"
    assert stored(open_invoice) == before
    assert Invoice.objects.get(pk=open_invoice.pk).comments == "First"


# SPEC INV-6
def test_menu_edit_disabled_with_reason_when_setting_is_off(editor, open_invoice, account):
    item = next(i for i in menu.invoice_menu(open_invoice, editor) if i.key == "edit")
    assert not item.decision
    assert item.decision.code == "setting_off"
    assert "Allow editing finalized invoices" in item.decision.reason
    account(allow_editing_finalized_invoices=True)
    item = next(i for i in menu.invoice_menu(open_invoice, editor) if i.key == "edit")
    assert item.decision.ok


@pytest.mark.parametrize(
    ("change", "code", "phrase"),
    [
        ({"lines": []}, "incomplete", "Add at least one line item"),
        ({"contacts": []}, "incomplete", "Add at least one contact"),
        (
            {"lines": [{"name": "Nothing", "unit_price": "0"}]},
            "incomplete",
            "total is 0.00 USD; an invoice must be for more than zero",
        ),
        (
            {"values": {"hs_invoice_date": "2026-05-10", "hs_due_date": "2026-05-01"}},
            "invalid_date",
            "due date 2026-05-01 is before the invoice date 2026-05-10",
        ),
        ({"values": {"hs_number": "INV-1"}}, "read_only", "cannot be set here"),
        ({"values": {"hs_balance_due": "0"}}, "read_only", "cannot be set here"),
        ({"values": {"hubspot_owner_id": "1"}}, "read_only", "Use assign_invoice_owner"),
    ],
)
# SPEC INV-5 SPEC INV-6
def test_edit_refused_with_nothing_written_when_result_is_not_a_valid_invoice(
    admin, open_invoice, editing_on, change, code, phrase
):
    before = stored(open_invoice)
    with pytest.raises(RuleViolation, match=phrase) as refused:
        invoices.update_invoice(open_invoice, actor=admin, **change)
    assert refused.value.code == code
    assert stored(open_invoice) == before


# INV-8: no edits once a payment is on the invoice -------------------------------------------


@pytest.mark.parametrize("amount", ["0.01", "100.00", "250.00"])
# SPEC INV-8
def test_edit_refused_with_nothing_written_when_invoice_has_a_payment(
    admin, system, open_invoice, editing_on, amount
):
    record_invoice_payment(open_invoice, actor=system, amount=amount)
    before = stored(open_invoice)
    with pytest.raises(RuleViolation, match="has 1 payment on it and cannot be edited") as e:
        invoices.update_invoice(open_invoice, actor=admin, values={"hs_comments": "x"})
    assert e.value.code == "has_payments"
    assert open_invoice.number in e.value.reason
    assert stored(open_invoice) == before


# SPEC INV-8
def test_edit_refused_when_invoice_has_two_payments(admin, system, open_invoice, editing_on):
    record_invoice_payment(open_invoice, actor=system, amount="50.00")
    record_invoice_payment(open_invoice, actor=system, amount="50.00")
    with pytest.raises(RuleViolation, match="has 2 payments on it and cannot be edited") as refused:
        invoices.update_invoice(open_invoice, actor=admin, lines=[THREE])
    assert refused.value.code == "has_payments"
    assert Invoice.objects.get(pk=open_invoice.pk).total == Decimal("250.00")


# SPEC INV-8
def test_edit_allowed_again_when_the_only_payment_is_deleted(admin, open_invoice, editing_on):
    payment = record_invoice_payment(open_invoice, actor=admin, amount="100.00")
    delete_payment(payment, actor=admin)

    edit = invoices.update_invoice(open_invoice, actor=admin, lines=[THREE])

    assert edit.invoice.total == Decimal("375.00")
    assert edit.invoice.amount_paid == Decimal(0)
    assert edit.invoice.balance_due == Decimal("375.00")


# INV-10 and voided invoices ----------------------------------------------------------------


@pytest.mark.parametrize("finalized", [False, True])
@pytest.mark.parametrize("who", ["admin", "workflow"])
# SPEC INV-10
def test_edit_refused_with_nothing_written_when_invoice_is_from_subscription(
    request, make_invoice, editing_on, finalized, who
):
    actor = acting(request, who)
    invoice = make_invoice(finalized=finalized, from_subscription=True)
    assert INVOICE.property("hs_created_by_subscription").read(invoice) is True
    before = stored(invoice)
    with pytest.raises(RuleViolation, match="created by a subscription and cannot be edited") as e:
        invoices.update_invoice(invoice, actor=actor, values={"hs_comments": "x"}, lines=[THREE])
    assert e.value.code == "subscription_invoice"
    assert "Change the subscription instead" in e.value.reason
    assert stored(invoice) == before


# SPEC INV-10
def test_subscription_flag_cannot_be_cleared_when_editing(make_invoice, system):
    invoice = make_invoice(from_subscription=True)
    with pytest.raises(RuleViolation, match="created by a subscription") as refused:
        invoices.update_invoice(
            invoice, actor=system, values={"hs_created_by_subscription": "false"}
        )
    assert refused.value.code == "subscription_invoice"
    assert Invoice.objects.get(pk=invoice.pk).from_subscription is True


# SPEC INV-6
def test_edit_refused_with_nothing_written_when_invoice_is_voided(admin, open_invoice, editing_on):
    invoices.void_invoice(open_invoice, actor=admin)
    before = stored(open_invoice)
    with pytest.raises(RuleViolation, match="is voided and cannot be edited") as refused:
        invoices.update_invoice(open_invoice, actor=admin, values={"hs_comments": "x"})
    assert refused.value.code == "invalid_state"
    assert stored(open_invoice) == before


# INV-7: the message proposed to the customer ------------------------------------------------


@pytest.fixture
def billed(system, contact, make_invoice, account):
    """An open invoice for three contacts (one without email), due 2026-03-31 (net 30)."""
    account(
        allow_editing_finalized_invoices=True,
        company_name="Acme AS",
        invoice_public_domain="https://pay.acme.test",
    )
    grace = crm.create_contact(actor=system, firstname="Grace", email="grace@example.com")
    nomail = crm.create_contact(actor=system, firstname="No", lastname="Mail")
    return make_invoice(
        finalized=True,
        contacts=[contact, grace, nomail],
        lines=[{**LINE, "unit_price": "99.50"}],
        values={"hs_invoice_date": "2026-03-01"},
    )


# SPEC INV-7
def test_customer_message_lists_old_and_new_values_when_finalized_invoice_edited(
    editor, editor_user, billed
):
    edit = invoices.update_invoice(
        billed,
        actor=editor,
        values={"hs_due_date": "2026-04-15", "hs_comments": "Please pay by wire"},
        lines=[{**LINE, "unit_price": "99.50", "quantity": "3"}],
    )

    # Written for the customer: the invoice's formats (en-US), lines as sentences, no codes.
    assert [(c.property, c.label, c.old, c.new) for c in edit.changes] == [
        ("hs_due_date", "Due date", "Mar 31, 2026", "Apr 15, 2026"),
        ("hs_payment_terms", "Payment terms", "Net 30", "Custom due date"),
        (
            "hs_line_items",
            "Line items",
            "2 × Consulting hour at $99.50, 25 % tax",
            "3 × Consulting hour at $99.50, 25 % tax",
        ),
        ("hs_subtotal", "Subtotal", "$199.00", "$298.50"),
        ("hs_tax", "Taxes", "$49.75", "$74.63"),  # 74.625 rounds half up
        ("hs_amount_billed", "Total", "$248.75", "$373.13"),
        ("hs_balance_due", "Balance due", "$248.75", "$373.13"),
        ("hs_comments", "Comments", "none", "Please pay by wire"),
    ]
    message = edit.customer_message
    assert message is not None
    # To the billing contact, the other contacts with an email in copy.
    assert (message.to, message.cc) == ("ada@example.com", ["grace@example.com"])
    assert message.subject == f"Updated invoice {billed.number} from Acme AS"
    body = message.body
    assert body.startswith("Hello Ada,\n\nWe have updated invoice")
    for change in edit.changes:
        assert f"- {change.label}: {change.old} → {change.new}\n" in body
    assert "The amount due is now $373.13, due Apr 15, 2026." in body
    assert "2026-04-15" not in body
    assert "USD" not in body
    assert body.rstrip().endswith("Acme AS")
    assert edit.cancelled_checkouts == 0
    # The edit is in the edit log with its summary and the user who made it.
    event = edit_log(billed).filter(event_type="invoice.edited_after_finalization").get()
    assert event.pk == edit.event_id
    assert event.data["changes"] == [[c.label, c.old, c.new] for c in edit.changes]
    assert event.data["cancelled_checkouts"] == 0
    assert (event.actor_kind, event.actor_user_id) == (ActorKind.USER, editor_user.pk)


# SPEC INV-7
def test_customer_message_is_written_in_the_invoices_formats(editor, billed):
    edit = invoices.update_invoice(
        billed,
        actor=editor,
        values={"hs_locale": "nb-NO", "hs_due_date": "2026-04-15"},
        lines=[{**LINE, "unit_price": "1250.50"}],
    )
    shown = {c.property: (c.old, c.new) for c in edit.changes}
    assert shown["hs_due_date"] == ("31. mars 2026", "15. apr. 2026")
    assert shown["hs_amount_billed"][1].replace("\xa0", " ") == "3 126,25 USD"
    assert shown["hs_locale"] == ("English (United States)", "Norwegian Bokmål (Norway)")
    assert edit.customer_message is not None
    assert "15. apr. 2026" in edit.customer_message.body


# SPEC INV-7
# SPEC DOC-2
def test_customer_message_goes_to_the_new_billing_contact(system, billed):
    lin = crm.create_contact(actor=system, firstname="Lin", email="lin@example.com")
    edit = invoices.update_invoice(billed, actor=system, contacts=[lin])
    assert [(c.property, c.old, c.new) for c in edit.changes] == [
        ("buyer_name", "Ada Lovelace", "Lin"),
        ("buyer_email", "ada@example.com", "lin@example.com"),
    ]
    assert edit.customer_message is not None
    assert (edit.customer_message.to, edit.customer_message.cc) == ("lin@example.com", [])


# SPEC DOC-2
def test_contacts_that_are_not_billed_change_nothing_the_customer_sees(system, billed):
    edit = invoices.update_invoice(billed, actor=system, contacts=[*billed.contacts_in_order()][:1])
    assert edit.changes == []
    assert edit.customer_message is None
    assert property_history(billed, "hs_contacts").exists()  # still recorded


# SPEC INV-7
def test_no_customer_message_when_edit_changes_nothing(admin, billed):
    history_before = Entry.objects.count()
    edit = invoices.update_invoice(
        billed, actor=admin, values={"hs_comments": ""}, lines=[{**LINE, "unit_price": "99.50"}]
    )
    assert edit.changes == []
    assert edit.customer_message is None
    assert Entry.objects.count() == history_before


# SPEC INV-7
def test_no_customer_message_when_draft_is_edited(admin, draft_invoice, editing_on):
    edit = invoices.update_invoice(draft_invoice, actor=admin, lines=[THREE])
    assert edit.changes  # the summary is there, but a draft was never sent to anyone
    assert edit.customer_message is None
    assert (
        not edit_log(draft_invoice).filter(event_type="invoice.edited_after_finalization").exists()
    )


# SPEC INV-7
def test_customer_message_describes_discounts_and_taxes_of_lines(admin, open_invoice, editing_on):
    edit = invoices.update_invoice(
        open_invoice,
        actor=admin,
        lines=[{**THREE, "tax_rate": "20", "discount_type": "percent", "discount_value": "10"}],
    )
    lines = next(c for c in edit.changes if c.property == "hs_line_items")
    assert (lines.old, lines.new) == (
        "2 × Consulting hour at $100.00, 25 % tax",
        "3 × Consulting hour at $100.00, 10 % discount, 20 % tax",
    )


# SPEC INV-7
def test_customer_message_shows_old_amounts_in_old_currency_when_currency_changes(
    admin, make_invoice, editing_on
):
    invoice = make_invoice(finalized=True, lines=[{"name": "Widget", "unit_price": "10.50"}])
    edit = invoices.update_invoice(invoice, actor=admin, values={"hs_currency": "JPY"})
    shown = [(c.label, c.old, c.new) for c in edit.changes]
    assert ("Currency", "USD", "JPY") in shown
    assert ("Total", "$10.50", "¥11") in shown
