"""Property history and the edit log (SPEC INV-16, INV-32): complete, attributed, append-only."""

import pytest
from django.contrib import admin as django_admin
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from faktura.core.actors import Actor, ActorKind
from faktura.core.errors import RuleViolation
from faktura.history.models import AppendOnlyError, Entry
from faktura.history.queries import edit_log, property_history
from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import Invoice

LINE = {"name": "Consulting hour", "unit_price": "100.00", "quantity": "2", "tax_rate": "25"}


def row(entry):
    return Entry.objects.filter(pk=entry.pk).values().get()


# INV-16: property history -------------------------------------------------------------------


# SPEC INV-16
def test_property_history_has_old_new_time_and_actor_kind_when_set_by_each_kind(
    draft_invoice, editor_user
):
    actors = [
        Actor.for_user(editor_user),
        Actor.api(editor_user, "Private app token"),
        Actor.workflow("Add PO number"),
        Actor.integration("QuickBooks Online"),
        Actor.system("Nightly cleanup"),
    ]
    start = timezone.now()
    for index, actor in enumerate(actors):
        invoices.update_invoice(draft_invoice, actor=actor, values={"hs_comments": f"v{index}"})
    end = timezone.now()

    history = list(property_history(draft_invoice, "hs_comments"))

    # Newest first, each with the value before and after.
    assert [(e.old_value, e.new_value) for e in history] == [
        ("v3", "v4"),
        ("v2", "v3"),
        ("v1", "v2"),
        ("v0", "v1"),
        (None, "v0"),
    ]
    assert [e.actor_kind for e in history] == [
        ActorKind.SYSTEM,
        ActorKind.INTEGRATION,
        ActorKind.WORKFLOW,
        ActorKind.API,
        ActorKind.USER,
    ]
    assert [e.actor_label for e in history] == [
        "Nightly cleanup",
        "QuickBooks Online",
        "Add PO number",
        "Private app token",
        "editor",
    ]
    # A user (directly or through an API token) is named; the others act for the account.
    assert [e.actor_user_id for e in history] == [None, None, None, editor_user.pk, editor_user.pk]
    assert all(start <= e.at <= end for e in history)
    times = [e.at for e in history]
    assert times == sorted(times, reverse=True)
    assert {(e.kind, e.property, e.object_type, e.object_id) for e in history} == {
        (Entry.Kind.CHANGE, "hs_comments", "invoice", draft_invoice.pk)
    }


# SPEC INV-16
def test_property_history_shows_status_number_and_payment_status_when_invoice_moves_on(
    draft_invoice, admin, admin_user
):
    invoice = invoices.finalize_invoice(draft_invoice, actor=admin)
    record_invoice_payment(invoice, actor=Actor.integration("Stripe sync"), amount="100.00")
    record_invoice_payment(invoice, actor=admin, amount="150.00")

    def changes(name):
        return [
            (e.old_value, e.new_value, e.actor_kind)
            for e in property_history(invoice, name).order_by("at", "id")
        ]

    assert changes("hs_invoice_status") == [
        (None, "draft", ActorKind.SYSTEM),
        ("draft", "open", ActorKind.USER),
        ("open", "paid", ActorKind.USER),
    ]
    assert changes("hs_number") == [(None, invoice.number, ActorKind.USER)]
    assert changes("hs_payment_status") == [
        (None, "unpaid", ActorKind.SYSTEM),
        ("unpaid", "partially_paid", ActorKind.INTEGRATION),
        ("partially_paid", "paid", ActorKind.USER),
    ]
    assert changes("hs_amount_paid") == [
        (None, "0", ActorKind.SYSTEM),
        ("0", "100", ActorKind.INTEGRATION),
        ("100", "250", ActorKind.USER),
    ]
    paid = property_history(invoice, "hs_invoice_status").first()
    assert paid is not None
    assert paid.actor_user_id == admin_user.pk


# SPEC INV-16
def test_property_history_shows_line_and_total_changes_when_lines_edited(draft_invoice, editor):
    invoices.update_invoice(
        draft_invoice, actor=editor, lines=[{**LINE, "unit_price": "99.50", "quantity": "3"}]
    )
    lines = property_history(draft_invoice, "hs_line_items").first()
    total = property_history(draft_invoice, "hs_amount_billed").first()
    assert lines is not None
    assert total is not None
    assert lines.new_value == "3 × Consulting hour @ 99.5 +25% tax"
    assert (total.old_value, total.new_value) == ("250", "373.13")


# SPEC INV-16
def test_property_history_holds_only_that_invoice_when_several_change(make_invoice, system, editor):
    first, second = make_invoice(), make_invoice()
    invoices.update_invoice(first, actor=editor, values={"hs_comments": "first"})
    invoices.update_invoice(second, actor=system, values={"hs_comments": "second"})
    assert [e.new_value for e in property_history(first, "hs_comments")] == ["first"]
    assert [e.new_value for e in property_history(second, "hs_comments")] == ["second"]


# SPEC INV-16
def test_property_history_refused_when_property_is_unknown(draft_invoice):
    with pytest.raises(RuleViolation, match="Property 'hs_colour' does not exist on invoices") as e:
        property_history(draft_invoice, "hs_colour")
    assert e.value.code == "unknown_property"


# SPEC INV-16
def test_property_history_unchanged_when_refused_edit(draft_invoice, viewer):
    before = list(property_history(draft_invoice, "hs_comments").values())
    with pytest.raises(RuleViolation, match="view-only") as refused:
        invoices.update_invoice(draft_invoice, actor=viewer, values={"hs_comments": "no"})
    assert refused.value.code == "permission_denied"
    assert list(property_history(draft_invoice, "hs_comments").values()) == before


# INV-32: the edit log ---------------------------------------------------------------------


# SPEC INV-32
def test_edit_log_lists_changes_status_changes_events_and_actors_when_invoice_lives(
    draft_invoice, editor, editor_user, admin, admin_user, account
):
    account(allow_editing_finalized_invoices=True)
    invoice = invoices.finalize_invoice(draft_invoice, actor=editor)
    invoices.update_invoice(invoice, actor=Actor.workflow("Add PO"), values={"hs_comments": "PO"})
    record_invoice_payment(invoice, actor=admin, amount="250.00")

    log = list(edit_log(invoice))

    events = [(e.event_type, e.actor_kind, e.actor_user_id) for e in reversed(log) if e.event_type]
    assert events == [
        ("invoice.created", ActorKind.SYSTEM, None),
        ("invoice.finalized", ActorKind.USER, editor_user.pk),
        ("invoice.edited_after_finalization", ActorKind.WORKFLOW, None),
        ("invoice.payment_recorded", ActorKind.USER, admin_user.pk),
    ]
    status = [
        (e.old_value, e.new_value, e.actor_label)
        for e in reversed(log)
        if e.property == "hs_invoice_status"
    ]
    assert status == [
        (None, "draft", "tests"),
        ("draft", "open", "editor"),
        ("open", "paid", "admin"),
    ]
    comment = next(e for e in log if e.property == "hs_comments")
    assert (comment.old_value, comment.new_value, comment.actor_label) == (None, "PO", "Add PO")
    # Newest first, each entry with its date and time.
    assert [(e.at, e.pk) for e in log] == sorted(((e.at, e.pk) for e in log), reverse=True)
    assert log[0].event_type == "invoice.payment_recorded"
    assert (log[0].data["amount"], log[0].data["currency"]) == ("250.00", "USD")
    # The edit log names its actor the way a person reads it.
    assert Actor.workflow("Add PO").describe() == "Workflow: Add PO"


# SPEC INV-32
def test_edit_log_records_void_when_invoice_is_voided(open_invoice, admin, admin_user):
    count = edit_log(open_invoice).count()
    invoices.void_invoice(open_invoice, actor=admin)
    latest = list(edit_log(open_invoice))[: edit_log(open_invoice).count() - count]
    assert {(e.kind, e.event_type or e.property) for e in latest} == {
        (Entry.Kind.EVENT, "invoice.voided"),
        (Entry.Kind.CHANGE, "hs_invoice_status"),
        (Entry.Kind.CHANGE, "hs_voided_date"),
        (Entry.Kind.CHANGE, "hs_balance_due"),  # DOC-3: nothing is due any more
    }
    status = next(e for e in latest if e.property == "hs_invoice_status")
    assert (status.old_value, status.new_value) == ("open", "voided")
    assert {e.actor_user_id for e in latest} == {admin_user.pk}


# SPEC INV-32
def test_edit_log_outlives_invoice_when_invoice_is_deleted(open_invoice, admin, account):
    account(allow_deleting_invoices=True)
    count = edit_log(open_invoice).count()
    number = open_invoice.number

    invoices.delete_invoice(open_invoice, actor=admin)

    assert not Invoice.objects.filter(pk=open_invoice.pk).exists()
    log = list(edit_log(open_invoice))
    assert len(log) == count + 1
    assert log[0].event_type == "invoice.deleted"
    assert log[0].data["number"] == number


# SPEC INV-32
def test_edit_log_keeps_actor_when_user_is_deleted_later(draft_invoice, editor_user):
    invoices.update_invoice(
        draft_invoice, actor=Actor.for_user(editor_user), values={"hs_comments": "by editor"}
    )
    user_pk = editor_user.pk
    editor_user.delete()

    entry = property_history(draft_invoice, "hs_comments").get()
    assert (entry.actor_kind, entry.actor_label, entry.actor_user_id) == (
        ActorKind.USER,
        "editor",
        user_pk,
    )
    assert entry.new_value == "by editor"


# SPEC INV-32
def test_edit_log_unchanged_when_action_is_refused(open_invoice, viewer, admin):
    before = list(edit_log(open_invoice).values())
    for refused_action in (
        lambda: invoices.update_invoice(open_invoice, actor=viewer, values={"hs_comments": "x"}),
        lambda: invoices.update_invoice(open_invoice, actor=admin, values={"hs_comments": "x"}),
        lambda: invoices.void_invoice(open_invoice, actor=viewer),
        lambda: invoices.finalize_invoice(open_invoice, actor=admin),
    ):
        with pytest.raises(RuleViolation):
            refused_action()
    assert list(edit_log(open_invoice).values()) == before


# INV-32: nothing in the log can be changed or removed -------------------------------------


@pytest.fixture
def entry(draft_invoice):
    found = edit_log(draft_invoice).filter(event_type="invoice.created").get()
    return found


# SPEC INV-32
def test_entry_save_refused_when_row_exists(entry):
    before = row(entry)
    entry.event_type = "invoice.forged"
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        entry.save()
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        entry.save(update_fields=["event_type"])
    assert row(entry) == before


# SPEC INV-32
def test_entry_delete_refused_when_deleted_through_model(entry):
    before = row(entry)
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        entry.delete()
    assert row(entry) == before


# SPEC INV-32
def test_queryset_update_and_delete_refused_when_bulk(entry, draft_invoice):
    count = Entry.objects.count()
    before = row(entry)
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        Entry.objects.filter(pk=entry.pk).update(actor_label="someone else")
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        edit_log(draft_invoice).update(new_value="forged")
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        Entry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        Entry.objects.all().delete()
    entry.actor_label = "someone else"
    # These two run in their own atomic block: a savepoint keeps the test's transaction usable.
    with pytest.raises(AppendOnlyError, match="cannot be changed"), transaction.atomic():
        Entry.objects.bulk_update([entry], ["actor_label"])
    with pytest.raises(AppendOnlyError, match="cannot be changed"), transaction.atomic():
        Entry.objects.update_or_create(pk=entry.pk, defaults={"actor_label": "someone else"})
    assert Entry.objects.count() == count
    assert row(entry) == before


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE history_entry SET new_value = %s WHERE id = %s", ["forged", "pk"]),
        ("UPDATE history_entry SET actor_label = %s", ["someone else"]),
    ],
)
# SPEC INV-32
def test_raw_sql_update_refused_by_database_when_orm_is_bypassed(entry, sql, params):
    before = row(entry)
    count = Entry.objects.count()
    params = [entry.pk if p == "pk" else p for p in params]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    assert row(entry) == before
    assert Entry.objects.count() == count


# SPEC INV-32
def test_admin_offers_no_change_or_delete_when_operator_browses_history(rf, admin_user):
    entry_admin = django_admin.site._registry[Entry]
    request = rf.get("/admin/history/entry/")
    request.user = admin_user
    assert entry_admin.has_add_permission(request) is False
    assert entry_admin.has_change_permission(request) is False
    assert entry_admin.has_delete_permission(request) is False
