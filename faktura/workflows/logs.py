"""Reading the action log and the enrollment history (WF-4) for the workflow page's tabs and the
record pages: filtered, paged newest first, each record named and each step said in words, in
a fixed number of queries per page whatever its length."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import dateformat, timezone

from faktura.core.properties import ObjectType
from faktura.listings.quick_search import is_record_id, text_search_q
from faktura.workflows import services
from faktura.workflows.config_fields import FieldContext
from faktura.workflows.definition import (
    BRANCH,
    DELAY,
    Definition,
    DefinitionError,
    Step,
    object_type_named,
    parse,
)
from faktura.workflows.engine import LEASE
from faktura.workflows.models import (
    Enrollment,
    EnrollmentStatus,
    StepRun,
    StepStatus,
    Workflow,
    WorkflowVersion,
)
from faktura.workflows.outline import delay_in_words
from faktura.workflows.registry import action_types

PAGE_SIZE = 50
# The record page's panel shows this many enrollments, newest first.
PANEL_SIZE = 20
WHEN = "M j, Y H:i"
DELAY_END = "D, M j, Y H:i"  # with the weekday: delays often wait for one
# What the engine records as the branch taken when no branch's criteria were met.
NO_BRANCH_MET = "None met"
# Badge colours (Bootstrap's text-bg-*) for each status.
STEP_STYLES: dict[str, str] = {
    StepStatus.PENDING: "secondary",
    StepStatus.RUNNING: "primary",
    StepStatus.RETRYING: "warning",
    StepStatus.SUCCEEDED: "success",
    StepStatus.FAILED: "danger",
    StepStatus.SKIPPED: "light",
}
ENROLLMENT_STYLES: dict[str, str] = {
    EnrollmentStatus.ACTIVE: "primary",
    EnrollmentStatus.COMPLETED: "success",
    EnrollmentStatus.FAILED: "danger",
    EnrollmentStatus.CANCELLED: "secondary",
}


class PageLinkError(ValueError):
    """A Previous/Next link whose position cannot be read (edited by hand, or cut short)."""


@dataclass(frozen=True)
class Position:
    """Where a page starts: after (older than) or before (newer than) a row id; neither for the
    newest rows."""

    older_than: int | None = None
    newer_than: int | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Position:
        values = {}
        for key in ("older_than", "newer_than"):
            text = (params.get(key) or "").strip()
            if text and not is_record_id(text):
                raise PageLinkError("The page link is damaged; showing the newest rows instead.")
            values[key] = int(text) if text else None
        return cls(**values)


@dataclass(frozen=True)
class Page[T]:
    rows: list[T]
    newer_than: int | None  # the first row's id when newer rows exist: the Previous link
    older_than: int | None  # the last row's id when older rows exist: the Next link


def keyset_page[M: (Enrollment, StepRun)](
    rows: QuerySet[M], position: Position, size: int = PAGE_SIZE
) -> tuple[list[M], int | None, int | None]:
    """One page of `rows`, newest (highest id: ids grow with creation) first, by keyset: a
    page deep in a long log costs what the first costs."""
    if position.newer_than is not None:
        found = list(rows.filter(pk__gt=position.newer_than).order_by("pk")[: size + 1])
        more_newer = len(found) > size
        page = list(reversed(found[:size]))
        return (
            page,
            page[0].pk if page and more_newer else None,
            page[-1].pk if page else None,
        )
    if position.older_than is not None:
        rows = rows.filter(pk__lt=position.older_than)
    found = list(rows.order_by("-pk")[: size + 1])
    page = found[:size]
    return (
        page,
        page[0].pk if page and position.older_than is not None else None,
        page[-1].pk if len(found) > size else None,
    )


# --- filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    """What the tabs' filter bars ask for, from the URL (bookmarkable)."""

    record: str = ""  # a record's id, or text in its name (the index page's quick search)
    failed_only: bool = False  # action logs
    status: str = ""  # enrollment history: an EnrollmentStatus value

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> tuple[LogFilters, list[str]]:
        """The filters, and what in the URL could not be used, in words."""
        problems = []
        status = (params.get("status") or "").strip()
        if status and status not in EnrollmentStatus.values:
            offered = ", ".join(str(label) for label in EnrollmentStatus.labels)
            problems.append(f"“{status}” is not an enrollment status; choose one of: {offered}.")
            status = ""
        return (
            cls(
                record=(params.get("record") or "").strip()[:200],
                failed_only=(params.get("failed") or "") in ("1", "on", "true"),
                status=status,
            ),
            problems,
        )

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (for page links and returning after a Retry)."""
        found = {
            "record": self.record,
            "failed": "1" if self.failed_only else "",
            "status": self.status,
        }
        return {key: value for key, value in found.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.record or self.failed_only or self.status)


def record_q(kind: ObjectType, text: str, prefix: str = "") -> Q:
    """Rows about the records `text` names: "#42" is exactly record 42 (a record deleted since
    too: its log stays); other text is searched as the type's index page does (its name, or
    its id)."""
    text = text.strip()
    if text.startswith("#") and is_record_id(text[1:].strip()):
        return Q(**{f"{prefix}object_id": int(text[1:].strip())})
    if not text:
        return Q()
    named = text_search_q(kind, text)
    found = (
        Q(**{f"{prefix}object_id__in": kind.model._default_manager.filter(named).values("pk")})
        if named
        else Q(pk__in=[])
    )
    if is_record_id(text):
        found |= Q(**{f"{prefix}object_id": int(text)})
    return found


# --- records and steps in words --------------------------------------------------------------


@dataclass(frozen=True)
class RecordLink:
    text: str
    url: str  # "" when the record no longer exists


def record_links(kind: ObjectType, ids: Iterable[int]) -> dict[int, RecordLink]:
    """Each record's name and page, in one query for the whole page of rows."""
    wanted = set(ids)
    found = kind.model._default_manager.in_bulk(wanted) if wanted else {}
    links = {
        pk: RecordLink(str(record), str(getattr(record, "get_absolute_url", lambda: "")()))
        for pk, record in found.items()
    }
    for pk in wanted - set(links):
        links[pk] = RecordLink(f"{kind.singular.capitalize()} {pk} (deleted)", "")
    return links


def definitions(version_ids: Iterable[int]) -> dict[int, Definition | None]:
    """Each version's definition, read once per page (None if it can no longer be read)."""
    found: dict[int, Definition | None] = {}
    for pk, version in WorkflowVersion.objects.in_bulk(set(version_ids)).items():
        try:
            found[pk] = parse(version.definition)
        except DefinitionError:
            found[pk] = None
    return found


def when(moment: dt.datetime | None, pattern: str = WHEN) -> str:
    return dateformat.format(timezone.localtime(moment), pattern) if moment else ""


def step_in_words(run: StepRun, definition: Definition | None) -> str:
    """The step as the editor names it; a delay says until when, a branch which path it took."""
    step = _step(definition, run.step_id)
    if step is None:  # a version that no longer reads: name the type at least
        if run.step_type in action_types:
            return action_types.get(run.step_type).label
        return _label(run.step_type)
    words = services.describe_step(step)
    if step.type == DELAY and run.run_after:
        return f"Delay until {when(run.run_after, DELAY_END)}"
    if step.type == BRANCH and run.result.get("branch"):
        taken = str(run.result["branch"])
        if taken == NO_BRANCH_MET:
            return f"{words}: no branch met, took “Otherwise”"
        return f"{words}: took “{taken}”"
    return words


def _step(definition: Definition | None, step_id: str) -> Step | None:
    if definition is None:
        return None
    try:
        return definition.step(step_id)
    except KeyError:
        return None


def readable(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A step's result (or an unknown step's input) as label/value pairs a person reads."""
    return [(_label(key), _text(value)) for key, value in data.items()]


def _label(key: str) -> str:
    words = key.replace("_", " ").strip().split()
    words = ["ID" if w.lower() == "id" else "URL" if w.lower() == "url" else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Mapping):
        return "; ".join(f"{_label(str(k))}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or "—"
    return str(value)


def delay_input(kind: ObjectType, config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A delay's configuration in words, as the editor shows it."""
    return [("Delay", delay_in_words(kind, config))]


def action_input(
    kind: ObjectType, step_type: str, shown: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """An action's input (secrets already masked) as the editor shows it: each declared field by
    its label, its value as its kind shows it. Computed choices are not asked for (the log never
    waits on another system): they show their stored value."""
    if step_type not in action_types:
        return readable(shown)
    fields = {f.name: f for f in action_types.get(step_type).fields}
    context = FieldContext(kind.singular, shown, live=False)
    return [
        (fields[key].label, fields[key].display(value, context))
        if key in fields
        else (_label(key), _text(value))
        for key, value in shown.items()
    ]


# --- the action log --------------------------------------------------------------------------


@dataclass(frozen=True)
class StepRow:
    run: StepRun
    record: RecordLink
    step: str
    when: dt.datetime
    when_label: str  # what `when` is: "Finished", "Due", "Started", "Queued"
    input: list[tuple[str, str]]
    result: list[tuple[str, str]]
    style: str

    @property
    def can_retry(self) -> bool:
        return self.run.status == StepStatus.FAILED


def step_runs(workflow: Workflow, filters: LogFilters) -> QuerySet[StepRun]:
    runs = StepRun.objects.filter(enrollment__workflow=workflow)
    if filters.failed_only:
        runs = runs.filter(status=StepStatus.FAILED)
    if filters.record:
        kind = object_type_named(workflow.object_type)
        runs = runs.filter(record_q(kind, filters.record, prefix="enrollment__"))
    return runs.select_related("enrollment")


def action_log(workflow: Workflow, filters: LogFilters, position: Position) -> Page[StepRow]:
    """A page of the workflow's step runs, newest first."""
    runs, newer, older = keyset_page(step_runs(workflow, filters), position)
    return Page(step_rows(workflow, runs), newer, older)


def step_rows(workflow: Workflow, runs: list[StepRun]) -> list[StepRow]:
    kind = object_type_named(workflow.object_type)
    records = record_links(kind, (r.enrollment.object_id for r in runs))
    versions = definitions(r.enrollment.version_id for r in runs)
    return [
        StepRow(
            run=run,
            record=records[run.enrollment.object_id],
            step=step_in_words(run, versions.get(run.enrollment.version_id)),
            **_moment(run),
            input=delay_input(kind, run.input)
            if run.step_type == DELAY
            else action_input(kind, run.step_type, run.input),
            result=readable(run.result),
            style=STEP_STYLES.get(run.status, "secondary"),
        )
        for run in runs
    ]


def _moment(run: StepRun) -> dict[str, Any]:
    """When the row happened: when it finished, or when it is due, or when it was queued."""
    if run.finished_at:
        return {"when": run.finished_at, "when_label": "Finished"}
    if run.run_after and run.status in (StepStatus.PENDING, StepStatus.RETRYING):
        return {"when": run.run_after, "when_label": "Due"}
    if run.status == StepStatus.RUNNING and run.claimed_until:
        return {"when": run.claimed_until - LEASE, "when_label": "Started"}  # claimed then
    return {"when": run.created_at, "when_label": "Queued"}


# --- enrollment history ----------------------------------------------------------------------


@dataclass(frozen=True)
class EnrollmentRow:
    enrollment: Enrollment
    record: RecordLink | None
    step: str  # the step it is on, or the last it ran, in words; "" before the first
    step_status: str
    step_style: str
    style: str


def enrollments(workflow: Workflow, filters: LogFilters) -> QuerySet[Enrollment]:
    found = Enrollment.objects.filter(workflow=workflow)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.record:
        found = found.filter(record_q(object_type_named(workflow.object_type), filters.record))
    return with_last_step(found.select_related("version"))


def with_last_step(found: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Each enrollment with the id of the step it is on, or its last, in the same query."""
    last = StepRun.objects.filter(enrollment=OuterRef("pk")).order_by("-sequence").values("pk")
    return found.annotate(last_step=Subquery(last[:1]))


def enrollment_history(
    workflow: Workflow, filters: LogFilters, position: Position
) -> Page[EnrollmentRow]:
    """A page of the workflow's enrollments, newest first."""
    found = enrollments(workflow, filters).defer("version__definition")
    rows, newer, older = keyset_page(found, position)
    kind = object_type_named(workflow.object_type)
    return Page(
        enrollment_rows(rows, record_links(kind, (e.object_id for e in rows))), newer, older
    )


def record_enrollments(object_type: str, object_id: int) -> list[EnrollmentRow]:
    """The enrollments of one record in any workflow, newest first (its page's panel)."""
    found = Enrollment.objects.filter(object_type=object_type, object_id=object_id)
    found = with_last_step(found.select_related("workflow"))
    return enrollment_rows(list(found.order_by("-pk")[:PANEL_SIZE]), None)


def enrollment_rows(
    found: list[Enrollment], records: Mapping[int, RecordLink] | None
) -> list[EnrollmentRow]:
    """Each enrollment (annotated by `with_last_step`) with the step it is on, or its last:
    those steps fetched for all rows in one query."""
    last_ids = {e.pk: getattr(e, "last_step", None) for e in found}
    steps = StepRun.objects.in_bulk([pk for pk in last_ids.values() if pk])
    versions = definitions({e.version_id for e in found})
    rows = []
    for enrollment in found:
        run = steps.get(last_ids[enrollment.pk] or 0)
        rows.append(
            EnrollmentRow(
                enrollment=enrollment,
                record=records[enrollment.object_id] if records is not None else None,
                step=step_in_words(run, versions.get(enrollment.version_id)) if run else "",
                step_status=run.get_status_display() if run else "",
                step_style=STEP_STYLES.get(run.status, "secondary") if run else "",
                style=ENROLLMENT_STYLES.get(enrollment.status, "secondary"),
            )
        )
    return rows
