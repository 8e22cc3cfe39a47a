"""Enrollment from the change feed (WF-2): committed history entries, read in id order, each
handed to the enabled workflows of its object type.

Exactly once: enrolling and moving the cursor happen in one transaction, and an enrollment is
unique per (workflow, record, entry), so a feed run that crashes and runs again enrolls nothing
twice. No event skipped: on PostgreSQL ids are drawn before commit, so a lower id can become
visible after a higher one. A gap in the ids stops the read until the entry after it is
`GAP_WAIT` old; by then the missing id belongs to a transaction that rolled back (Faktura's
transactions last milliseconds)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from faktura.history.models import Entry
from faktura.listings import filters as flt
from faktura.listings.queries import filtered
from faktura.workflows.definition import Definition, object_type_named, parse
from faktura.workflows.engine import enroll, record_matches
from faktura.workflows.events import trigger_events
from faktura.workflows.models import Enrollment, EnrollmentStatus, FeedCursor, Workflow

FEED = "workflows"
BATCH = 500
GAP_WAIT = dt.timedelta(seconds=5)


@dataclass(frozen=True)
class FeedRun:
    read: int
    enrolled: int
    last_entry_id: int
    waiting_for_gap: bool


def start_cursor() -> FeedCursor:
    """The cursor, created at the newest entry: history from before any workflow was on can
    enroll nothing (entries older than a workflow's turn-on are ignored)."""
    newest = Entry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return FeedCursor.objects.get_or_create(name=FEED, defaults={"last_entry_id": newest})[0]


def process_feed(*, now: dt.datetime | None = None, batch: int = BATCH) -> FeedRun:
    """Read the next batch of committed history and enroll what it triggers. `now` decides
    only whether a gap in the ids has waited long enough."""
    now = now or timezone.now()
    start_cursor()
    with transaction.atomic():
        cursor = FeedCursor.objects.select_for_update().get(name=FEED)
        entries = list(Entry.objects.filter(id__gt=cursor.last_entry_id).order_by("id")[:batch])
        live = _live_workflows()
        done, read, enrolled, waiting = cursor.last_entry_id, 0, 0, False
        for entry in entries:
            if entry.id != done + 1 and now - entry.at < GAP_WAIT:
                waiting = True  # an earlier entry may still commit
                break
            for workflow, definition in live.get(entry.object_type, []):
                enrolled += _consider(workflow, definition, entry)
            done, read = entry.id, read + 1
        cursor.last_entry_id = done
        cursor.last_run_at = now
        cursor.last_run = {"read": read, "enrolled": enrolled, "waiting_for_gap": waiting}
        cursor.save(update_fields=["last_entry_id", "last_run_at", "last_run"])
    return FeedRun(read, enrolled, done, waiting)


def _live_workflows() -> dict[str, list[tuple[Workflow, Definition]]]:
    live: dict[str, list[tuple[Workflow, Definition]]] = defaultdict(list)
    for workflow in Workflow.objects.filter(enabled=True, published__isnull=False).select_related(
        "published"
    ):
        assert workflow.published is not None
        live[workflow.object_type].append((workflow, parse(workflow.published.definition)))
    return live


def _consider(workflow: Workflow, definition: Definition, entry: Entry) -> int:
    """Enroll the entry's record if this entry triggers the workflow (1), else 0."""
    if workflow.enabled_at and entry.at < workflow.enabled_at:
        return 0  # it happened while the workflow was off: never enrolled later (WQ-11)
    fired = _fired_by(definition, entry)
    if fired is None:
        return 0
    earlier = Enrollment.objects.filter(workflow=workflow, object_id=entry.object_id)
    latest = earlier.order_by("-enrolled_at").first()
    if latest is not None:
        if not definition.re_enroll or earlier.filter(status=EnrollmentStatus.ACTIVE).exists():
            return 0  # enrolled once by default; never while still enrolled (WQ-4, WQ-5)
        if entry.property not in definition.re_enroll_properties:
            return 0
        if entry.at <= latest.enrolled_at:
            return 0  # a change from before the last enrollment (read again, or the same save)
    if not record_matches(workflow.object_type, entry.object_id, definition.filters):
        return 0
    assert workflow.published is not None
    made = enroll(
        workflow,
        workflow.published,
        entry.object_id,
        trigger_key=f"entry:{entry.id}",
        trigger=fired,
    )
    return 1 if made else 0


def _fired_by(definition: Definition, entry: Entry) -> str | None:
    """What about this entry can enroll, in words; None if nothing. With events, one of them
    must be this entry; with filter criteria alone, any entry that can make the record start
    meeting them (its creation, or a change of a property they use)."""
    if definition.events:
        for spec in definition.events:
            event = trigger_events.get(str(spec.get("event")))
            if event.applies_to(entry.object_type) and event.matches(entry, spec):
                return _describe(event.label, entry)
        return None
    if trigger_events.get("created").matches(entry, {}):
        return "Created, meeting the trigger criteria"
    if entry.kind == Entry.Kind.CHANGE and entry.property in _filter_properties(definition):
        return _describe("Started meeting the trigger criteria", entry)
    return None


def _filter_properties(definition: Definition) -> set[str]:
    return {
        str(item.get("property"))
        for group in definition.filters
        for item in group
        if isinstance(item, dict)
    }


def _describe(what: str, entry: Entry) -> str:
    if entry.kind == Entry.Kind.CHANGE:
        old, new = entry.old_value or "(empty)", entry.new_value or "(empty)"
        return f"{what}: {entry.property} {old} → {new}"
    return f"{what} ({entry.event_type})"


def enroll_existing(workflow: Workflow, *, now: dt.datetime | None = None) -> int:
    """At turn-on, if asked: every record that meets the trigger criteria now (WQ-10)."""
    now = now or timezone.now()
    assert workflow.published is not None
    definition = parse(workflow.published.definition)
    count = 0
    for object_id in matching_ids(workflow, definition):
        made = enroll(
            workflow,
            workflow.published,
            object_id,
            trigger_key=f"existing:v{workflow.published.number}",
            trigger="Met the trigger criteria when the workflow was turned on",
            now=now,
        )
        count += 1 if made else 0
    return count


def matching_ids(workflow: Workflow, definition: Definition) -> list[int]:
    if not definition.filters:
        return []  # event triggers: nothing "already meets" an event
    kind = object_type_named(workflow.object_type)
    records = filtered(kind, flt.from_json(kind, definition.filters))
    return list(records.order_by("pk").values_list("pk", flat=True))
