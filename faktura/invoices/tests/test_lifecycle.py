"""The invoice lifecycle through the services: CRM record, statuses, drafts, finalizing, cloning.

SPEC INV-1…INV-5 and INV-20. Refusals are checked for their code, their reason and for leaving
the database exactly as it was.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from faktura.accounts.models import PaymentTerms
from faktura.core.actors import Actor, ActorKind
from faktura.core.errors import RuleViolation
from faktura.core.properties import object_type_for, object_types
from faktura.crm import services as crm
from faktura.history.models import Entry
from faktura.history.queries import edit_log, property_history
from faktura.invoices import numbering
from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import (
    Invoice,
    InvoiceContact,
    InvoiceLine,
    InvoicePayment,
    InvoiceStatus,
    PaymentState,
)
from faktura.invoices.properties import INVOICE
from faktura.sales import services as sales
from faktura.sales.properties import DEAL

LINE = {"name": "Consulting hour", "unit_price": "100.00", "quantity": "2", "tax_rate": "25"}


def stored(invoice):
    """Everything a refused action must leave untouched."""
    return {
        "invoice": Invoice.objects.filter(pk=invoice.pk).values().get(),
        "lines": list(InvoiceLine.objects.filter(invoice=invoice).values()),
        "contacts": list(
            InvoiceContact.objects.filter(invoice=invoice).values_list("contact_id", "position")
        ),
        "companies": sorted(invoice.companies.values_list("pk", flat=True)),
        "history": Entry.objects.count(),
        "invoices": Invoice.objects.count(),
        "last_number": numbering.last_invoice_number(),
    }


def lines_of(invoice):
    return list(
        InvoiceLine.objects.filter(invoice=invoice).values_list(
            "name", "quantity", "unit_price", "discount_type", "discount_value", "tax_rate"
        )
    )


@pytest.fixture
def grace(system):
    return crm.create_contact(actor=system, firstname="Grace", email="grace@example.com")


# INV-1: invoices are CRM records -------------------------------------------------------------


# SPEC INV-1
def test_invoice_is_crm_record_with_properties_owner_and_history_when_created(
    editor, editor_user, contact
):
    invoice = invoices.create_draft_invoice(actor=editor, contacts=[contact], lines=[LINE])

    assert object_types.get("invoices") is INVOICE
    assert object_type_for(invoice) is INVOICE
    assert INVOICE.singular == "invoice"
    # Every declared property can be read from the record.
    values = {prop.name: prop.read(invoice) for prop in INVOICE.properties}
    assert values["hs_invoice_status"] == InvoiceStatus.DRAFT
    assert values["hs_number"] is None
    assert values["hs_amount_billed"] == Decimal("250.00")
    assert values["hs_contacts"] == "Ada Lovelace <ada@example.com>"
    assert values["hs_line_items"].startswith("2 × Consulting hour @ ")
    # The owner is the user who created it.
    assert invoice.owner == editor_user
    assert values["hubspot_owner_id"] == editor_user.pk
    # Its history starts with a 'created' event and the initial values, by that user.
    log = list(edit_log(invoice))
    assert [e.event_type for e in log if e.kind == Entry.Kind.EVENT] == ["invoice.created"]
    initial = {e.property: e.new_value for e in log if e.kind == Entry.Kind.CHANGE}
    assert initial["hs_invoice_status"] == "draft"
    assert initial["hs_amount_billed"] == "250"
    assert initial["hubspot_owner_id"] == str(editor_user.pk)
    assert {(e.actor_kind, e.actor_user_id) for e in log} == {(ActorKind.USER, editor_user.pk)}


# SPEC INV-1 SPEC INV-2
def test_invoice_keeps_contacts_companies_deal_quote_and_lines_when_associated(
    system, editor, contact, grace
):
    acme = crm.create_company(actor=system, name="Acme")
    globex = crm.create_company(actor=system, name="Globex")
    deal = sales.create_deal(actor=system, dealname="Renewal", contacts=[contact])
    quote = sales.create_quote(actor=system, hs_title="Renewal quote", deal=deal)
    second = {"name": "Travel", "unit_price": "40.00"}

    invoice = invoices.create_draft_invoice(
        actor=editor,
        contacts=[grace, contact, grace],  # a duplicate is kept once, in first position
        companies=[acme, globex],
        deal=deal,
        quote=quote,
        lines=[LINE, second],
    )

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert list(invoice.contacts.order_by("invoicecontact__position")) == [grace, contact]
    assert set(invoice.companies.all()) == {acme, globex}
    assert (invoice.deal, invoice.quote) == (deal, quote)
    assert [line.name for line in invoice.lines.all()] == ["Consulting hour", "Travel"]
    snapshot = INVOICE.snapshot(invoice)
    assert snapshot["hs_contacts"] == "Grace <grace@example.com>; Ada Lovelace <ada@example.com>"
    assert snapshot["hs_companies"] == "Acme; Globex"
    assert snapshot["hs_deal_id"] == str(deal.pk)
    assert snapshot["hs_quote_id"] == str(quote.pk)
    assert invoice.total == Decimal("290.00")


# SPEC INV-2
def test_payments_listed_on_invoice_when_recorded(admin, open_invoice):
    first = record_invoice_payment(open_invoice, actor=admin, amount="100.00", reference="A-1")
    second = record_invoice_payment(open_invoice, actor=admin, amount="150.00", reference="A-2")

    applied = list(open_invoice.applied_payments.select_related("payment"))
    assert [a.payment for a in applied] == [first, second]
    assert [(a.payment.amount, a.payment.reference) for a in applied] == [
        (Decimal("100.00"), "A-1"),
        (Decimal("150.00"), "A-2"),
    ]
    # The payment carries the billing contact of the invoice.
    assert first.contact == open_invoice.contacts.get()


@pytest.mark.parametrize("who", ["admin", "editor"])
# SPEC INV-2
def test_owner_changes_when_invoice_is_paid(request, who, viewer_user, open_invoice, system):
    actor = request.getfixturevalue(who)
    record_invoice_payment(open_invoice, actor=system, amount="250.00")
    before_owner = Invoice.objects.get(pk=open_invoice.pk).owner_id

    changed = invoices.assign_invoice_owner(open_invoice, viewer_user, actor=actor)

    reloaded = Invoice.objects.get(pk=open_invoice.pk)
    assert changed.owner == viewer_user
    assert reloaded.owner == viewer_user
    assert reloaded.status == InvoiceStatus.PAID  # nothing else moved
    entry = property_history(reloaded, "hubspot_owner_id").first()
    assert entry is not None
    assert (entry.old_value, entry.new_value) == (
        None if before_owner is None else str(before_owner),
        str(viewer_user.pk),
    )
    assert entry.actor_user_id == actor.user.pk


# SPEC INV-2
def test_owner_change_refused_when_user_is_view_only(viewer, viewer_user, open_invoice):
    before = stored(open_invoice)
    with pytest.raises(RuleViolation, match="view-only access") as refused:
        invoices.assign_invoice_owner(open_invoice, viewer_user, actor=viewer)
    assert refused.value.code == "permission_denied"
    assert stored(open_invoice) == before


# SPEC INV-2
def test_owner_cleared_when_assigned_none(editor, editor_user, contact):
    invoice = invoices.create_draft_invoice(actor=editor, contacts=[contact], lines=[LINE])
    assert invoice.owner == editor_user
    invoices.assign_invoice_owner(invoice, None, actor=editor)
    assert Invoice.objects.get(pk=invoice.pk).owner is None


# INV-3: statuses, payment status, overdue, exact totals --------------------------------------


# SPEC INV-3
def test_statuses_are_draft_open_paid_voided_when_declared():
    assert InvoiceStatus.values == ["draft", "open", "paid", "voided"]
    options = [o.value for o in INVOICE.property("hs_invoice_status").options]
    assert options == ["draft", "open", "paid", "voided"]
    assert [o.value for o in INVOICE.property("hs_payment_status").options] == [
        "unpaid",
        "partially_paid",
        "paid",
    ]


# SPEC INV-3
def test_totals_are_exact_decimals_when_invoice_is_created(open_invoice):
    invoice = Invoice.objects.get(pk=open_invoice.pk)
    amounts = {
        "subtotal": invoice.subtotal,
        "total_discount": invoice.total_discount,
        "total_tax": invoice.total_tax,
        "total": invoice.total,
        "amount_paid": invoice.amount_paid,
        "balance_due": invoice.balance_due,
    }
    assert all(isinstance(value, Decimal) for value in amounts.values())
    assert amounts == {
        "subtotal": Decimal("200.00"),
        "total_discount": Decimal("0"),
        "total_tax": Decimal("50.00"),
        "total": Decimal("250.00"),
        "amount_paid": Decimal("0"),
        "balance_due": Decimal("250.00"),
    }
    assert invoice.currency == "USD"


# SPEC INV-3
def test_payment_status_is_partially_paid_when_payment_short_of_total(admin, open_invoice):
    record_invoice_payment(open_invoice, actor=admin, amount="100.01")

    invoice = Invoice.objects.get(pk=open_invoice.pk)
    assert invoice.status == InvoiceStatus.OPEN
    assert invoice.payment_state == PaymentState.PARTIALLY_PAID
    assert INVOICE.property("hs_payment_status").read(invoice) == "partially_paid"
    assert invoice.amount_paid == Decimal("100.01")
    assert invoice.balance_due == Decimal("149.99")
    assert invoice.paid_at is None


# SPEC INV-3
def test_status_is_paid_when_payments_reach_total(admin, open_invoice):
    assert open_invoice.payment_state == PaymentState.UNPAID
    record_invoice_payment(open_invoice, actor=admin, amount="100.01")
    record_invoice_payment(open_invoice, actor=admin, amount="149.99")

    invoice = Invoice.objects.get(pk=open_invoice.pk)
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.payment_state == PaymentState.PAID
    assert (invoice.amount_paid, invoice.balance_due) == (Decimal("250.00"), Decimal("0"))
    assert invoice.paid_at is not None


# SPEC INV-3
def test_invoice_is_overdue_when_open_past_its_due_date(make_invoice, admin):
    today = timezone.localdate()
    invoice = make_invoice(finalized=True, values={"hs_invoice_date": today - dt.timedelta(40)})

    assert invoice.due_date == today - dt.timedelta(10)  # net 30
    assert invoice.is_overdue()
    assert invoice.days_overdue() == 10
    assert INVOICE.property("hs_is_overdue").read(invoice) is True
    assert INVOICE.property("hs_days_overdue").read(invoice) == 10
    # Not overdue on the due date itself, overdue the day after.
    assert not invoice.is_overdue(today=invoice.due_date)
    assert invoice.days_overdue(today=invoice.due_date) == 0
    assert invoice.is_overdue(today=invoice.due_date + dt.timedelta(1))
    # A partial payment does not stop it being overdue.
    record_invoice_payment(invoice, actor=admin, amount="10.00")
    assert Invoice.objects.get(pk=invoice.pk).is_overdue()


# SPEC INV-3
def test_invoice_is_not_overdue_when_draft_paid_voided_or_not_yet_due(make_invoice, admin):
    past = {"hs_invoice_date": timezone.localdate() - dt.timedelta(40)}
    draft = make_invoice(values=past)
    paid = make_invoice(finalized=True, values=past)
    record_invoice_payment(paid, actor=admin, amount="250.00")
    voided = invoices.void_invoice(make_invoice(finalized=True, values=past), actor=admin)
    current = make_invoice(finalized=True)

    for invoice in (draft, Invoice.objects.get(pk=paid.pk), voided, current):
        assert not invoice.is_overdue(), invoice.status
        assert invoice.days_overdue() == 0
        assert INVOICE.property("hs_is_overdue").read(invoice) is False


# INV-4: drafts: edit, property history, clone, delete ----------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor"])
# SPEC INV-4
def test_draft_edited_when_user_may_edit_invoices(request, who, draft_invoice, grace):
    actor = request.getfixturevalue(who)

    edit = invoices.update_invoice(
        draft_invoice,
        actor=actor,
        values={"hs_comments": "Thanks!", "hs_purchase_order_number": "PO-7"},
        lines=[{**LINE, "quantity": "3"}, {"name": "Travel", "unit_price": "12.34"}],
        contacts=[grace],
    )

    invoice = Invoice.objects.get(pk=draft_invoice.pk)
    assert edit.invoice.pk == invoice.pk
    assert (invoice.comments, invoice.purchase_order_number) == ("Thanks!", "PO-7")
    assert lines_of(invoice)[0][:2] == ("Consulting hour", Decimal(3))
    assert invoice.lines.count() == 2
    assert list(invoice.contacts.all()) == [grace]
    assert (invoice.subtotal, invoice.total_tax, invoice.total) == (
        Decimal("312.34"),
        Decimal("75.00"),
        Decimal("387.34"),
    )
    assert invoice.status == InvoiceStatus.DRAFT
    # A draft edit proposes no customer message and cancels nothing.
    assert edit.customer_message is None
    assert edit.cancelled_checkouts == 0
    labels = {change.property for change in edit.changes}
    assert {"hs_comments", "hs_line_items", "hs_amount_billed"} <= labels
    comment = property_history(invoice, "hs_comments").get()
    assert (comment.old_value, comment.new_value) == (None, "Thanks!")
    assert comment.actor_user_id == actor.user.pk


# SPEC INV-4
def test_draft_edit_refused_when_user_is_view_only(viewer, draft_invoice):
    before = stored(draft_invoice)
    with pytest.raises(RuleViolation, match="view-only access") as refused:
        invoices.update_invoice(
            draft_invoice, actor=viewer, values={"hs_comments": "x"}, lines=[LINE, LINE]
        )
    assert refused.value.code == "permission_denied"
    assert stored(draft_invoice) == before


# SPEC INV-4
def test_draft_creation_refused_when_user_is_view_only(viewer, contact):
    before = (Invoice.objects.count(), Entry.objects.count())
    with pytest.raises(RuleViolation, match="view-only access") as refused:
        invoices.create_draft_invoice(actor=viewer, contacts=[contact], lines=[LINE])
    assert refused.value.code == "permission_denied"
    assert (Invoice.objects.count(), Entry.objects.count()) == before


@pytest.mark.parametrize(
    ("values", "lines", "code", "phrase"),
    [
        ({"hs_amount_billed": "1.00"}, None, "read_only", r"Total \(hs_amount_billed\) cannot"),
        ({"hs_invoice_status": "paid"}, None, "read_only", "cannot be set here"),
        ({"hs_number": "INV-999"}, None, "read_only", "cannot be set here"),
        ({"hubspot_owner_id": "1"}, None, "read_only", "Use assign_invoice_owner"),
        ({"hs_colour": "blue"}, None, "unknown_property", "'hs_colour' does not exist"),
        ({"hs_payment_terms": "net_7"}, None, "invalid_option", "not a valid Payment terms"),
        ({"hs_due_date": ""}, None, "invalid_date", "Due date cannot be empty"),
        ({"hs_invoice_date": "someday"}, None, "invalid_value", "not a valid date"),
        ({"hs_currency": "EURO"}, None, "invalid_currency", "not a supported currency"),
        ({"hs_comments": "ok"}, [{"name": "X"}], "rule_violation", "needs a unit price"),
    ],
)
# SPEC INV-4
def test_draft_edit_refused_with_nothing_written_when_input_is_invalid(
    draft_invoice, system, values, lines, code, phrase
):
    before = stored(draft_invoice)
    with pytest.raises(RuleViolation, match=phrase) as refused:
        invoices.update_invoice(draft_invoice, actor=system, values=values, lines=lines)
    assert refused.value.code == code
    assert stored(draft_invoice) == before


@pytest.mark.parametrize("who", ["admin", "editor"])
# SPEC INV-4
def test_draft_deleted_when_user_may_edit_invoices(request, who, draft_invoice):
    actor = request.getfixturevalue(who)
    line_ids = list(draft_invoice.lines.values_list("pk", flat=True))

    invoices.delete_invoice(draft_invoice, actor=actor)  # allowed with the setting off

    assert not Invoice.objects.filter(pk=draft_invoice.pk).exists()
    assert not InvoiceLine.objects.filter(pk__in=line_ids).exists()
    # The history of the draft outlives it and ends with the deletion.
    last = edit_log(draft_invoice).first()
    assert last is not None
    assert last.event_type == "invoice.deleted"
    assert last.data["status"] == "draft"
    assert last.actor_user_id == actor.user.pk


# SPEC INV-4
def test_draft_delete_refused_when_user_is_view_only(viewer, draft_invoice):
    before = stored(draft_invoice)
    with pytest.raises(RuleViolation, match="view-only access") as refused:
        invoices.delete_invoice(draft_invoice, actor=viewer)
    assert refused.value.code == "permission_denied"
    assert stored(draft_invoice) == before


# SPEC INV-4
def test_property_history_viewable_when_draft_is_edited(draft_invoice, system):
    invoices.update_invoice(draft_invoice, actor=system, lines=[{**LINE, "quantity": "4"}])
    history = list(property_history(draft_invoice, "hs_amount_billed"))
    assert [(e.old_value, e.new_value) for e in history] == [("250", "500"), (None, "250")]


# SPEC INV-4 SPEC INV-20
def test_clone_of_draft_is_new_draft_with_same_details_when_cloned(editor, draft_invoice, grace):
    invoices.update_invoice(
        draft_invoice,
        actor=editor,
        values={"hs_comments": "Note", "hs_tax_id": "NO123"},
        contacts=[grace, draft_invoice.contacts.get()],
    )
    clone = invoices.clone_invoice(Invoice.objects.get(pk=draft_invoice.pk), actor=editor)

    assert clone.pk != draft_invoice.pk
    assert clone.status == InvoiceStatus.DRAFT
    assert (clone.number, clone.public_token) == (None, None)
    assert (clone.comments, clone.tax_id) == ("Note", "NO123")
    assert clone.contacts.order_by("invoicecontact__position").first() == grace
    assert lines_of(clone) == lines_of(draft_invoice)
    assert Invoice.objects.get(pk=draft_invoice.pk).status == InvoiceStatus.DRAFT


# INV-5: finalizing -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor"])
# SPEC INV-5
def test_draft_becomes_open_with_number_and_link_when_finalized(request, who, draft_invoice):
    actor = request.getfixturevalue(who)
    last = numbering.last_invoice_number()

    invoice = invoices.finalize_invoice(draft_invoice, actor=actor)

    reloaded = Invoice.objects.get(pk=draft_invoice.pk)
    assert reloaded.status == InvoiceStatus.OPEN
    assert reloaded.number_seq == last + 1
    assert reloaded.number == f"INV-{last + 1}"
    assert reloaded.public_token
    assert (
        INVOICE.property("hs_invoice_link").read(reloaded).endswith(f"/i/{reloaded.public_token}/")
    )
    assert reloaded.finalized_at is not None
    assert invoice.number == reloaded.number
    # Content is unchanged by finalizing.
    assert (reloaded.total, reloaded.balance_due) == (Decimal("250.00"), Decimal("250.00"))
    event = edit_log(reloaded).filter(event_type="invoice.finalized").get()
    assert event.data == {"number": reloaded.number}
    assert event.actor_user_id == actor.user.pk
    status = property_history(reloaded, "hs_invoice_status").first()
    assert status is not None
    assert (status.old_value, status.new_value) == ("draft", "open")


# SPEC INV-5
def test_numbers_follow_prefix_and_increase_when_finalized_one_after_another(make_invoice, account):
    account(invoice_number_prefix="NO-2026-")
    first = make_invoice(finalized=True)
    second = make_invoice(finalized=True)
    assert second.number_seq == first.number_seq + 1
    assert first.number == f"NO-2026-{first.number_seq}"
    assert second.number == f"NO-2026-{second.number_seq}"


# SPEC INV-5
def test_finalize_refused_when_user_is_view_only(viewer, draft_invoice):
    before = stored(draft_invoice)
    with pytest.raises(RuleViolation, match="view-only access") as refused:
        invoices.finalize_invoice(draft_invoice, actor=viewer)
    assert refused.value.code == "permission_denied"
    assert stored(draft_invoice) == before


# SPEC INV-5
def test_finalize_refused_when_invoice_is_already_finalized(admin, open_invoice):
    before = stored(open_invoice)
    with pytest.raises(RuleViolation, match=f"{open_invoice.number} is already finalized") as e:
        invoices.finalize_invoice(open_invoice, actor=admin)
    assert e.value.code == "invalid_state"
    assert stored(open_invoice) == before


def _draft(system, contact, **kwargs):
    kwargs.setdefault("contacts", [contact])
    kwargs.setdefault("lines", [LINE])
    return invoices.create_draft_invoice(actor=system, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "code", "phrase"),
    [
        ({"contacts": []}, "incomplete", "Add at least one contact: a finalized invoice needs"),
        ({"lines": []}, "incomplete", "Add at least one line item: a finalized"),
        (
            {"contacts": [], "lines": []},
            "incomplete",
            "Add at least one contact and at least one line item",
        ),
        (
            {"lines": [{"name": "Free sample", "unit_price": "0"}]},
            "incomplete",
            "total is 0.00 USD; an invoice must be for more than zero",
        ),
        (
            {"lines": [{**LINE, "discount_value": "100"}]},
            "incomplete",
            "must be for more than zero",
        ),
        (
            {"values": {"hs_invoice_date": "2026-03-10", "hs_due_date": "2026-03-09"}},
            "invalid_date",
            "due date 2026-03-09 is before the invoice date 2026-03-10",
        ),
    ],
)
# SPEC INV-5
def test_finalize_refused_with_nothing_written_when_draft_is_incomplete(
    admin, system, contact, kwargs, code, phrase
):
    draft = _draft(system, contact, **kwargs)
    before = stored(draft)
    with pytest.raises(RuleViolation, match=phrase) as refused:
        invoices.finalize_invoice(draft, actor=admin)
    assert refused.value.code == code
    assert stored(draft) == before  # no number used up, no history written


# SPEC INV-5
def test_finalize_allowed_when_due_date_equals_invoice_date(admin, system, contact):
    draft = _draft(system, contact, values={"hs_payment_terms": "due_on_receipt"})
    invoice = invoices.finalize_invoice(draft, actor=admin)
    assert invoice.status == InvoiceStatus.OPEN
    assert invoice.due_date == invoice.invoice_date


# Due dates follow the payment terms ---------------------------------------------------------


# SPEC INV-4
def test_due_date_follows_default_payment_terms_when_draft_created(system, contact, account):
    today = timezone.localdate()
    net_30 = _draft(system, contact)
    assert (net_30.payment_terms, net_30.invoice_date) == (PaymentTerms.NET_30, today)
    assert net_30.due_date == today + dt.timedelta(30)

    account(default_payment_terms="net_60")
    net_60 = _draft(system, contact)
    assert net_60.payment_terms == PaymentTerms.NET_60
    assert net_60.due_date == today + dt.timedelta(60)


@pytest.mark.parametrize(
    ("terms", "days"),
    [("due_on_receipt", 0), ("net_15", 15), ("net_30", 30), ("net_45", 45), ("net_60", 60)],
)
# SPEC INV-4
def test_due_date_follows_payment_terms_when_terms_or_invoice_date_change(
    system, draft_invoice, terms, days
):
    invoices.update_invoice(draft_invoice, actor=system, values={"hs_payment_terms": terms})
    invoice = Invoice.objects.get(pk=draft_invoice.pk)
    assert invoice.due_date == invoice.invoice_date + dt.timedelta(days)

    invoices.update_invoice(draft_invoice, actor=system, values={"hs_invoice_date": "2026-02-20"})
    invoice = Invoice.objects.get(pk=draft_invoice.pk)
    assert invoice.payment_terms == terms
    assert invoice.due_date == dt.date(2026, 2, 20) + dt.timedelta(days)


# SPEC INV-4
def test_terms_become_custom_when_due_date_set_by_hand(system, draft_invoice):
    invoices.update_invoice(
        draft_invoice,
        actor=system,
        values={"hs_invoice_date": "2026-01-01", "hs_due_date": "2026-01-20"},
    )
    invoice = Invoice.objects.get(pk=draft_invoice.pk)
    assert invoice.payment_terms == PaymentTerms.CUSTOM
    assert invoice.due_date == dt.date(2026, 1, 20)
    # A custom due date stays where it was put when the invoice date moves.
    invoices.update_invoice(draft_invoice, actor=system, values={"hs_invoice_date": "2026-01-05"})
    assert Invoice.objects.get(pk=draft_invoice.pk).due_date == dt.date(2026, 1, 20)


# SPEC INV-4
def test_terms_kept_when_due_date_set_by_hand_matches_them(system, draft_invoice):
    invoices.update_invoice(
        draft_invoice,
        actor=system,
        values={"hs_invoice_date": "2026-01-01", "hs_due_date": "2026-01-31"},
    )
    invoice = Invoice.objects.get(pk=draft_invoice.pk)
    assert (invoice.payment_terms, invoice.due_date) == (PaymentTerms.NET_30, dt.date(2026, 1, 31))


# Invoices from deals and quotes ------------------------------------------------------------


@pytest.fixture
def deal(system, contact, grace):
    acme = crm.create_company(actor=system, name="Acme")
    # Grace is the newer contact but the deal's oldest association: she is billed.
    return sales.create_deal(
        actor=system,
        dealname="Renewal",
        deal_currency_code="EUR",
        contacts=[grace, contact],
        companies=[acme],
        lines=[
            {"name": "Licence", "unit_price": "1200.00", "tax_rate": "8.625"},
            {
                "name": "Setup",
                "unit_price": "150.00",
                "quantity": "2",
                "discount_type": "fixed",
                "discount_value": "25",
            },
        ],
    )


# SPEC INV-2
def test_invoice_from_deal_takes_contacts_companies_lines_and_currency_when_created(
    editor, editor_user, deal, grace, contact
):
    invoice = invoices.create_invoice_from_deal(deal, actor=editor)

    assert invoice.status == InvoiceStatus.DRAFT
    assert invoice.deal == deal
    assert invoice.currency == "EUR"
    assert list(invoice.contacts.order_by("invoicecontact__position")) == [grace, contact]
    assert list(invoice.companies.all()) == list(deal.companies.all())
    assert lines_of(invoice) == list(
        deal.line_items.values_list(
            "name", "quantity", "unit_price", "discount_type", "discount_value", "tax_rate"
        )
    )
    # 1200.00 + 103.50 tax; 300.00 − 25.00
    assert (invoice.subtotal, invoice.total_discount, invoice.total_tax) == (
        Decimal("1500.00"),
        Decimal("25.00"),
        Decimal("103.50"),
    )
    assert invoice.total == Decimal("1578.50") == DEAL.property("amount").read(deal)
    assert invoice.owner == editor_user  # the deal has no owner: the creator owns it


# SPEC INV-2
def test_invoice_keeps_its_lines_when_deal_lines_change_later(system, editor, deal):
    invoice = invoices.create_invoice_from_deal(deal, actor=editor)
    before = lines_of(invoice)
    sales.set_line_items(deal, [{"name": "Other", "unit_price": "1"}], actor=system)
    assert lines_of(invoice) == before
    assert Invoice.objects.get(pk=invoice.pk).total == Decimal("1578.50")


# SPEC INV-2
def test_invoice_from_deal_refused_when_user_is_view_only(viewer, deal):
    before = (Invoice.objects.count(), Entry.objects.count())
    with pytest.raises(RuleViolation, match="view-only access") as refused:
        invoices.create_invoice_from_deal(deal, actor=viewer)
    assert refused.value.code == "permission_denied"
    assert (Invoice.objects.count(), Entry.objects.count()) == before


# SPEC INV-2
def test_invoice_from_quote_takes_quote_deal_lines_and_currency_when_created(system, editor, deal):
    quote = sales.create_quote(actor=system, hs_title="Renewal quote", deal=deal)
    sales.set_line_items(
        quote, [{"name": "Licence", "unit_price": "1000.00", "tax_rate": "25"}], actor=system
    )

    invoice = invoices.create_invoice_from_quote(quote, actor=editor)

    assert (invoice.quote, invoice.deal) == (quote, deal)
    assert invoice.currency == "EUR"
    assert set(invoice.contacts.all()) == set(deal.contacts.all())
    assert list(invoice.companies.all()) == list(deal.companies.all())
    assert lines_of(invoice) == [
        ("Licence", Decimal(1), Decimal("1000.00"), "percent", Decimal(0), Decimal(25))
    ]
    assert invoice.total == Decimal("1250.00")
    invoices.finalize_invoice(invoice, actor=editor)


# SPEC INV-2
def test_invoice_from_quote_bills_deal_oldest_contact_first_when_created(
    system, editor, deal, grace, contact
):
    quote = sales.create_quote(actor=system, hs_title="Renewal quote", deal=deal)
    invoice = invoices.create_invoice_from_quote(quote, actor=editor)
    # Same billing contact as an invoice made from the deal itself.
    assert list(invoice.contacts.order_by("invoicecontact__position")) == [grace, contact]


# INV-20: clone of a finalized or paid invoice ---------------------------------------------


@pytest.fixture
def paid_invoice(system, admin, contact, grace):
    acme = crm.create_company(actor=system, name="Acme")
    deal = sales.create_deal(actor=system, dealname="Renewal", contacts=[contact])
    quote = sales.create_quote(actor=system, hs_title="Renewal quote", deal=deal)
    draft = invoices.create_draft_invoice(
        actor=system,
        contacts=[grace, contact],
        companies=[acme],
        deal=deal,
        quote=quote,
        owner=admin.user,
        lines=[
            LINE,
            {"name": "Travel", "unit_price": "80", "discount_type": "fixed", "discount_value": "5"},
        ],
        values={
            "hs_invoice_date": "2026-01-10",
            "hs_due_date": "2026-01-31",  # custom: 21 days
            "hs_comments": "Thank you",
            "hs_invoice_footer": "Bank: 1234",
            "hs_purchase_order_number": "PO-42",
            "hs_tax_id": "NO999",
        },
    )
    invoice = invoices.finalize_invoice(draft, actor=system)
    record_invoice_payment(invoice, actor=system, amount="325.00")
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.status == InvoiceStatus.PAID
    return invoice


@pytest.mark.parametrize("who", ["admin", "editor"])
# SPEC INV-20 SPEC INV-4
def test_clone_of_paid_invoice_is_new_draft_without_payments_or_number_when_cloned(
    request, who, paid_invoice
):
    actor = request.getfixturevalue(who)
    source_before = stored(paid_invoice)["invoice"]

    clone = invoices.clone_invoice(paid_invoice, actor=actor)

    clone = Invoice.objects.get(pk=clone.pk)
    assert clone.pk != paid_invoice.pk
    assert clone.status == InvoiceStatus.DRAFT
    assert (clone.number, clone.number_seq, clone.public_token) == (None, None, None)
    assert (clone.finalized_at, clone.paid_at) == (None, None)
    # No payments.
    assert not InvoicePayment.objects.filter(invoice=clone).exists()
    assert clone.amount_paid == Decimal(0)
    assert clone.balance_due == clone.total == paid_invoice.total == Decimal("325.00")
    assert clone.payment_state == PaymentState.UNPAID
    # Same details.
    fields = ["currency", "payment_terms", "comments", "footer", "purchase_order_number"]
    fields += ["tax_id", "subtotal", "total_discount", "total_tax", "owner_id"]
    assert {f: getattr(clone, f) for f in fields} == {f: getattr(paid_invoice, f) for f in fields}
    assert clone.invoice_date == timezone.localdate()
    assert clone.due_date == clone.invoice_date + dt.timedelta(21)  # custom offset kept
    # Same associations and lines.
    assert list(clone.contacts.order_by("invoicecontact__position")) == list(
        paid_invoice.contacts.order_by("invoicecontact__position")
    )
    assert list(clone.companies.all()) == list(paid_invoice.companies.all())
    assert (clone.deal_id, clone.quote_id) == (paid_invoice.deal_id, paid_invoice.quote_id)
    assert lines_of(clone) == lines_of(paid_invoice)
    # The source is untouched, and the clone remembers where it came from.
    assert stored(paid_invoice)["invoice"] == source_before
    event = edit_log(clone).filter(event_type="invoice.cloned").get()
    assert event.data == {"source_id": paid_invoice.pk, "source_number": paid_invoice.number}
    assert event.actor_user_id == actor.user.pk


# SPEC INV-20
def test_clone_gets_new_number_when_finalized(editor, paid_invoice):
    clone = invoices.clone_invoice(paid_invoice, actor=editor)
    clone = invoices.finalize_invoice(clone, actor=editor)
    assert clone.status == InvoiceStatus.OPEN
    assert clone.number is not None
    assert clone.number != paid_invoice.number
    assert clone.number_seq > paid_invoice.number_seq
    assert clone.public_token != paid_invoice.public_token
    assert Invoice.objects.get(pk=paid_invoice.pk).number == paid_invoice.number


# SPEC INV-20
def test_clone_due_date_follows_terms_when_source_has_net_terms(editor, make_invoice):
    source = make_invoice(finalized=True, values={"hs_invoice_date": "2025-06-01"})
    clone = invoices.clone_invoice(source, actor=editor)
    assert clone.payment_terms == PaymentTerms.NET_30
    assert clone.due_date == timezone.localdate() + dt.timedelta(30)


# SPEC INV-20
def test_clone_of_voided_invoice_is_new_draft_when_cloned(admin, open_invoice):
    voided = invoices.void_invoice(open_invoice, actor=admin)
    clone = invoices.clone_invoice(voided, actor=admin)
    assert clone.status == InvoiceStatus.DRAFT
    assert clone.total == Decimal("250.00")
    assert Invoice.objects.get(pk=voided.pk).status == InvoiceStatus.VOIDED


# SPEC INV-20
def test_clone_refused_when_user_is_view_only(viewer, paid_invoice):
    before = stored(paid_invoice)
    with pytest.raises(RuleViolation, match="view-only access") as refused:
        invoices.clone_invoice(paid_invoice, actor=viewer)
    assert refused.value.code == "permission_denied"
    assert stored(paid_invoice) == before


# SPEC INV-20
def test_clone_by_workflow_recorded_as_workflow_when_cloned(paid_invoice):
    clone = invoices.clone_invoice(paid_invoice, actor=Actor.workflow("Monthly retainer"))
    event = edit_log(clone).filter(event_type="invoice.cloned").get()
    assert (event.actor_kind, event.actor_label) == (ActorKind.WORKFLOW, "Monthly retainer")
    assert event.actor_user_id is None


# SPEC INV-20 SPEC INV-4
def test_clone_copies_stored_details_when_given_instance_is_stale(editor, draft_invoice):
    invoices.update_invoice(draft_invoice, actor=editor, values={"hs_comments": "Latest note"})
    clone = invoices.clone_invoice(draft_invoice, actor=editor)  # the fixture's older copy
    assert clone.comments == "Latest note"


# SPEC INV-20
def test_clone_refused_when_invoice_was_deleted(editor, draft_invoice):
    invoices.delete_invoice(draft_invoice, actor=editor)
    before = (Invoice.objects.count(), Entry.objects.count())
    with pytest.raises(RuleViolation, match="does not exist") as refused:
        invoices.clone_invoice(draft_invoice, actor=editor)
    assert refused.value.code == "not_found"
    assert (Invoice.objects.count(), Entry.objects.count()) == before
