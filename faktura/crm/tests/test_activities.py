"""Notes and tasks on any record (HubSpot's engagements): the services with their refusals,
idempotency by source key and history events on the record, the newest-first query, and the
activities panel as a record page renders it."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.crm.activities import activities_for, activities_on
from faktura.crm.models import Activity
from faktura.history.models import Entry

pytestmark = pytest.mark.django_db


ACTIVITY_EVENTS = ("note_added", "task_added", "task_completed")


def events(object_type: str, object_id: int) -> list[tuple[str, dict]]:
    """The record's note and task events, oldest first."""
    entries = Entry.objects.for_object(object_type, object_id).filter(
        kind=Entry.Kind.EVENT,
        event_type__in=[
            f"{object_type}.{e}" for e in ("note_added", "task_added", "task_completed")
        ],
    )
    return [(e.event_type, e.data) for e in entries.order_by("at", "id")]


# --- creating notes and tasks ------------------------------------------------------------------


def test_note_on_a_deal_is_kept_with_who_made_it_and_recorded_in_the_deal_history(editor, deal):
    note = crm.create_note(
        actor=editor, object_type="deal", object_id=deal.pk, body="  Called Ada.\nShe agreed.  "
    )

    note.refresh_from_db()
    assert (note.kind, note.object_type, note.object_id) == ("note", "deal", deal.pk)
    assert note.body == "Called Ada.\nShe agreed."
    assert note.title == ""
    assert note.created_by_label == "editor"
    assert note.source_key is None
    assert events("deal", deal.pk) == [("deal.note_added", {"activity_id": note.pk, "title": ""})]
    entry = Entry.objects.for_object("deal", deal.pk).get(event_type="deal.note_added")
    assert entry.actor_user_id == editor.user.pk


def test_note_on_an_invoice_is_found_through_the_declared_object_types(system, draft_invoice):
    note = crm.create_note(
        actor=system, object_type="invoice", object_id=draft_invoice.pk, body="PO to follow."
    )

    assert list(activities_on(draft_invoice)) == [note]
    assert note.created_by_label == "System: tests"
    assert events("invoice", draft_invoice.pk)[0][0] == "invoice.note_added"


def test_task_with_due_date_and_owner(editor, editor_user, deal):
    due = timezone.now() + dt.timedelta(days=3)
    task = crm.create_task(
        actor=editor,
        object_type="deal",
        object_id=deal.pk,
        title=" Send the contract ",
        body="Use the new template.",
        due_at=due,
        owner=editor_user,
    )

    task.refresh_from_db()
    assert (task.kind, task.title, task.body) == (
        "task",
        "Send the contract",
        "Use the new template.",
    )
    assert task.due_at == due
    assert task.owner == editor_user
    assert task.completed_at is None
    assert not task.is_overdue
    assert events("deal", deal.pk) == [
        ("deal.task_added", {"activity_id": task.pk, "title": "Send the contract"})
    ]


def test_workflow_actor_is_named_with_its_workflow(deal):
    note = crm.create_note(
        actor=Actor.workflow("Won deals"), object_type="deal", object_id=deal.pk, body="Won!"
    )

    assert note.created_by_label == "Workflow “Won deals”"


# --- idempotency by source key (WF-4) ----------------------------------------------------------


# SPEC WF-4
def test_same_source_key_makes_one_note_and_one_history_event(system, deal):
    first = crm.create_note(
        actor=system, object_type="deal", object_id=deal.pk, body="Won", source_key="wf1-e1-s1"
    )
    again = crm.create_note(
        actor=system, object_type="deal", object_id=deal.pk, body="Won", source_key="wf1-e1-s1"
    )

    assert again.pk == first.pk
    assert Activity.objects.count() == 1
    assert len(events("deal", deal.pk)) == 1


# SPEC WF-4
def test_same_source_key_makes_one_task_and_a_long_key_works_too(system, deal):
    key = "k" * 300  # longer than the column: stored as its hash
    tasks = [
        crm.create_task(
            actor=system, object_type="deal", object_id=deal.pk, title="Call", source_key=key
        )
        for _ in range(2)
    ]

    assert tasks[0].pk == tasks[1].pk
    assert str(Activity.objects.get().source_key).startswith("sha256:")


def test_source_key_of_another_record_is_refused(system, deal, contact):
    crm.create_note(
        actor=system, object_type="deal", object_id=deal.pk, body="Won", source_key="key-1"
    )

    with pytest.raises(RuleViolation, match="already made a note on deal .* Each step needs"):
        crm.create_note(
            actor=system,
            object_type="contact",
            object_id=contact.pk,
            body="Won",
            source_key="key-1",
        )


# SPEC WF-4
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: run bin/test, which starts one"
)
def test_runs_racing_with_one_key_make_one_note(system, deal):
    """Real threads on PostgreSQL: each looks for the key, finds none, and inserts; the unique
    key makes all but one insert fail, and those return the row that won."""
    barrier = threading.Barrier(6)

    def run() -> object:
        try:
            barrier.wait(timeout=30)
            return crm.create_note(
                actor=system, object_type="deal", object_id=deal.pk, body="Won", source_key="race"
            ).pk
        except Exception as error:  # returned, so the assertion shows it
            return error
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: run(), range(6)))

    note = Activity.objects.get()
    assert results == [note.pk] * 6
    assert len(events("deal", deal.pk)) == 1


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "A note needs some text"),
        ("   \n ", "A note needs some text"),
        ("x" * 65_537, "at most 65,536 characters; this one has 65,537"),
        (42, "must be text"),
    ],
)
def test_note_refusals_say_why(system, deal, body, reason):
    with pytest.raises(RuleViolation, match=reason):
        crm.create_note(actor=system, object_type="deal", object_id=deal.pk, body=body)
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"title": ""}, "A task needs a title"),
        ({"title": "x" * 201}, "at most 200 characters; this one has 201"),
        ({"title": "Call", "due_at": dt.date(2030, 1, 1)}, "must be a date and a time of day"),
        ({"title": "Call", "due_at": "tomorrow"}, "not “tomorrow”"),
        ({"title": "Call", "owner": "editor"}, "owner must be a Faktura user"),
    ],
)
def test_task_refusals_say_why(system, deal, values, reason):
    with pytest.raises(RuleViolation, match=reason):
        crm.create_task(actor=system, object_type="deal", object_id=deal.pk, **values)
    assert not Activity.objects.exists()


def test_task_for_a_deactivated_owner_is_refused(system, deal, editor_user):
    editor_user.is_active = False
    editor_user.save()

    with pytest.raises(RuleViolation, match="is deactivated"):
        crm.create_task(
            actor=system, object_type="deal", object_id=deal.pk, title="Call", owner=editor_user
        )


def test_naive_due_date_is_read_in_the_faktura_time_zone(system, deal):
    task = crm.create_task(
        actor=system,
        object_type="deal",
        object_id=deal.pk,
        title="Call",
        due_at=dt.datetime(2030, 1, 1, 9, 0),
    )

    assert task.due_at is not None
    assert timezone.is_aware(task.due_at)
    assert timezone.localtime(task.due_at).hour == 9


def test_unknown_type_or_missing_record_is_refused(system, deal):
    with pytest.raises(RuleViolation, match="“widget”: that is not a type of record. Use one of"):
        crm.create_note(actor=system, object_type="widget", object_id=1, body="x")
    with pytest.raises(RuleViolation, match="There is no deal 999999 to add a note to"):
        crm.create_note(actor=system, object_type="deal", object_id=999_999, body="x")
    with pytest.raises(RuleViolation, match="is not a record id"):
        crm.create_note(actor=system, object_type="deal", object_id="1", body="x")  # type: ignore[arg-type]


def test_view_only_users_cannot_add_notes(viewer, deal):
    with pytest.raises(RuleViolation, match="view-only access"):
        crm.create_note(actor=viewer, object_type="deal", object_id=deal.pk, body="x")


# --- completing tasks --------------------------------------------------------------------------


def test_complete_task_once_with_one_history_event(editor, deal):
    task = crm.create_task(actor=editor, object_type="deal", object_id=deal.pk, title="Call Ada")

    done = crm.complete_task(task, actor=editor)
    again = crm.complete_task(task, actor=editor)

    assert done.completed_at is not None
    assert again.completed_at == done.completed_at
    task.refresh_from_db()
    assert task.is_done
    completed = [e for e in events("deal", deal.pk) if e[0] == "deal.task_completed"]
    assert completed == [("deal.task_completed", {"activity_id": task.pk, "title": "Call Ada"})]


def test_a_note_cannot_be_completed_and_viewers_cannot_complete(editor, viewer, deal):
    note = crm.create_note(actor=editor, object_type="deal", object_id=deal.pk, body="Hi")
    task = crm.create_task(actor=editor, object_type="deal", object_id=deal.pk, title="Call")

    with pytest.raises(RuleViolation, match="Only a task can be marked done"):
        crm.complete_task(note, actor=editor)
    with pytest.raises(RuleViolation, match="view-only access"):
        crm.complete_task(task, actor=viewer)


def test_overdue_is_an_open_task_past_its_due_date(system, deal):
    task = crm.create_task(
        actor=system,
        object_type="deal",
        object_id=deal.pk,
        title="Call",
        due_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert task.is_overdue
    crm.complete_task(task, actor=system)
    task.refresh_from_db()
    assert not task.is_overdue


# --- the query and the panel -------------------------------------------------------------------


def test_activities_for_a_record_newest_first_and_only_its_own(system, deal, contact):
    older = crm.create_note(actor=system, object_type="deal", object_id=deal.pk, body="First")
    newer = crm.create_task(actor=system, object_type="deal", object_id=deal.pk, title="Then")
    crm.create_note(actor=system, object_type="contact", object_id=contact.pk, body="Other")
    # Both in the same instant still list newest (highest id) first.
    Activity.objects.filter(pk=older.pk).update(created_at=newer.created_at)

    assert list(activities_for("deal", deal.pk)) == [newer, older]
    assert list(activities_on(deal)) == [newer, older]


def test_panel_lists_notes_and_tasks_with_their_details(system, editor, editor_user, deal):
    crm.create_note(
        actor=Actor.workflow("Won deals"),
        object_type="deal",
        object_id=deal.pk,
        body="Line one\nLine <two>",
    )
    task = crm.create_task(
        actor=editor,
        object_type="deal",
        object_id=deal.pk,
        title="Send the contract",
        due_at=timezone.make_aware(dt.datetime(2030, 5, 17, 14, 30)),
        owner=editor_user,
    )
    done = crm.create_task(actor=system, object_type="deal", object_id=deal.pk, title="Old call")
    crm.complete_task(done, actor=system)

    html = render_to_string("crm/_activities.html", {"activities": activities_on(deal)})

    assert 'aria-label="Notes and tasks"' in html
    assert '<span class="badge text-bg-light border">3</span>' in html
    # The body keeps its line breaks (pre-line) and is escaped.
    assert '<div class="mt-1 text-pre-line text-break">Line one\nLine &lt;two&gt;</div>' in html
    assert "By Workflow “Won deals”" in html
    assert "Send the contract" in html
    assert 'Due <time datetime="2030-05-17T14:30:00' in html
    assert "May 17, 2030 14:30" in html
    assert "Assigned to editor" in html
    assert "By editor" in html
    assert f'data-activity="{task.pk}" data-activity-kind="task"' in html
    assert html.count(">To do</span>") == 1
    assert html.count(">Done</span>") == 1
    assert "text-decoration-line-through" in html


def test_panel_says_when_there_is_nothing_yet(deal):
    html = render_to_string("crm/_activities.html", {"activities": activities_on(deal)})

    assert "No notes or tasks yet." in html
