"""Running enrollments (WF-4): each step in order, one after another, in the background.

A step is a StepRun row. A worker claims it with one conditional UPDATE (so two workers never
run the same step), runs it, and records the result together with the next step's row. An
action that only writes to the database runs inside that same transaction, so its effect and
its log row commit together: exactly once. An external call (a webhook) runs before it, with
the step's idempotency key; a worker killed in between leaves the step claimed, and
`recover_stale_steps` hands it out again when the claim runs out."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.listings import filters as flt
from faktura.listings.queries import filtered
from faktura.workflows.config_fields import MASK
from faktura.workflows.definition import (
    BRANCH,
    DELAY,
    Definition,
    Step,
    object_type_named,
    parse,
)
from faktura.workflows.models import (
    Enrollment,
    EnrollmentStatus,
    StepRun,
    StepStatus,
    Workflow,
    WorkflowVersion,
)
from faktura.workflows.registry import NO_RETRIES, ActionContext, ActionError, action_types

log = logging.getLogger(__name__)

# How long a worker may hold a step before another may take it over (it is presumed dead).
LEASE = dt.timedelta(minutes=5)


def workflow_actor(workflow: Workflow) -> Actor:
    return Actor.workflow(f"Workflow “{workflow.name}”")


def record_matches(object_type: str, object_id: int, filters: list[Any]) -> bool:
    """Whether the record meets the filter groups now (no groups: every record)."""
    kind = object_type_named(object_type)
    return filtered(kind, flt.from_json(kind, filters)).filter(pk=object_id).exists()


# --- enrolling -------------------------------------------------------------------------------


def enroll(
    workflow: Workflow,
    version: WorkflowVersion,
    object_id: int,
    *,
    trigger_key: str,
    trigger: str,
    now: dt.datetime | None = None,
) -> Enrollment | None:
    """Enroll the record and queue its first step, in the caller's transaction; None when this
    trigger occurrence already enrolled it."""
    now = now or timezone.now()
    if Enrollment.objects.filter(
        workflow=workflow, object_id=object_id, trigger_key=trigger_key
    ).exists():
        return None
    enrollment = Enrollment.objects.create(
        workflow=workflow,
        version=version,
        object_type=workflow.object_type,
        object_id=object_id,
        trigger_key=trigger_key,
        trigger=trigger[:300],
        enrolled_at=now,
    )
    definition = parse(version.definition)
    _advance(enrollment, definition, definition.first_step(), 1, now)
    return enrollment


def _advance(
    enrollment: Enrollment,
    definition: Definition,
    step_id: str | None,
    sequence: int,
    now: dt.datetime,
) -> StepRun | None:
    """Queue the step `step_id` (its delay worked out now), or finish the enrollment."""
    if not step_id:
        enrollment.status = EnrollmentStatus.COMPLETED
        enrollment.finished_at = now
        enrollment.save(update_fields=["status", "finished_at"])
        return None
    step = definition.step(step_id)
    run_after = _delay_until(enrollment, step, now) if step.type == DELAY else None
    step_run = StepRun.objects.create(
        enrollment=enrollment,
        sequence=sequence,
        step_id=step.id,
        step_type=step.type,
        input=_shown_input(step),
        run_after=run_after,
    )
    _queue(step_run)
    return step_run


def _shown_input(step: Step) -> dict[str, Any]:
    """The step's configuration as the action log shows it: secrets masked."""
    if step.type not in action_types:
        return dict(step.config)
    secret = {f.name for f in action_types.get(step.type).fields if f.kind.secret}
    return {k: (MASK if k in secret and v else v) for k, v in step.config.items()}


def _queue(step_run: StepRun) -> None:
    from faktura.workflows.tasks import run_step_task

    run_after = step_run.run_after
    pk = step_run.pk

    def enqueue() -> None:
        if run_after and run_step_task.get_backend().supports_defer:
            run_step_task.using(run_after=run_after).enqueue(pk)
        else:  # a backend that cannot wait runs it now; the claim refuses it until it is due
            run_step_task.enqueue(pk)

    transaction.on_commit(enqueue)


def _delay_until(enrollment: Enrollment, step: Step, now: dt.datetime) -> dt.datetime:
    """When a delay step ends; a date already passed (or missing) lets the record go on."""
    config = step.config
    local = timezone.localtime(now)
    match config.get("kind"):
        case "duration":
            return now + dt.timedelta(minutes=int(config["minutes"]))
        case "until_date_property":
            record = _record(enrollment)
            kind = object_type_named(enrollment.object_type)
            value = kind.property(str(config["property"])).read(record) if record else None
            if isinstance(value, dt.datetime):
                return max(value, now)
            if isinstance(value, dt.date):
                at = dt.time.fromisoformat(str(config.get("time") or "09:00"))
                return max(timezone.make_aware(dt.datetime.combine(value, at)), now)
            return now
        case "until_weekday":
            at = dt.time.fromisoformat(str(config.get("time") or "09:00"))
            days = {int(d) for d in config.get("weekdays") or []}
            for ahead in range(8):
                day = local.date() + dt.timedelta(days=ahead)
                candidate = timezone.make_aware(dt.datetime.combine(day, at))
                if day.weekday() in days and candidate >= now:
                    return candidate
    return now


def _record(enrollment: Enrollment) -> Any:
    kind = object_type_named(enrollment.object_type)
    return (
        kind.unarchived(kind.model._default_manager.all()).filter(pk=enrollment.object_id).first()
    )


# --- running a step --------------------------------------------------------------------------


def claim(step_run_id: int, now: dt.datetime) -> bool:
    """Take the step for this worker: one UPDATE that only one worker can win."""
    due = Q(run_after__isnull=True) | Q(run_after__lte=now)
    waiting = [StepStatus.PENDING, StepStatus.RETRYING]
    return bool(
        StepRun.objects.filter(due, pk=step_run_id, status__in=waiting)
        .update(
            status=StepStatus.RUNNING,
            claimed_until=now + LEASE,
            attempts=F("attempts") + 1,
            first_attempt_at=Coalesce("first_attempt_at", now),
        )
    )  # fmt: skip


def run_step(step_run_id: int, *, now: dt.datetime | None = None) -> StepRun:
    """Run one step if it is due and nobody else runs it; record its result and queue the next."""
    now = now or timezone.now()
    if not claim(step_run_id, now):
        return StepRun.objects.get(pk=step_run_id)
    step_run = StepRun.objects.select_related("enrollment__workflow", "enrollment__version").get(
        pk=step_run_id
    )
    enrollment = step_run.enrollment
    definition = parse(enrollment.version.definition)
    step = definition.step(step_run.step_id)
    record = _record(enrollment)
    if record is None:
        return _finish_without(step_run, "The record was deleted or archived, so it left the "
                               "workflow.", EnrollmentStatus.CANCELLED, now)  # fmt: skip
    if step.type == DELAY:
        return _succeed(step_run, definition, {"waited_until": _iso(step_run.run_after)}, now)
    if step.type == BRANCH:
        return _branch(step_run, definition, step, now)
    if not enrollment.workflow.enabled:
        # As HubSpot does while a workflow is off: the action is skipped and says so (WQ-11).
        return _skip(step_run, definition, "The workflow was off when this action was due.", now)
    action = action_types.get(step.type)
    if reason := action.unavailable():
        # It became unavailable after publishing (the account moved out of the US): nothing is
        # done, and no automatic retry, as waiting will not fix it; Retry once it is available.
        return _failed(step_run, ActionError(reason), NO_RETRIES, now)
    context = ActionContext(
        config=step.config,
        record=record,
        object_type=enrollment.object_type,
        actor=workflow_actor(enrollment.workflow),
        idempotency_key=step_run.idempotency_key,
        workflow_name=enrollment.workflow.name,
        first_attempt_at=step_run.first_attempt_at or now,
    )
    try:
        if action.transactional:
            with transaction.atomic():
                result = dict(action.run(context))
                return _succeed(step_run, definition, result, now)
        result = dict(action.run(context))
    except ActionError as error:
        return _failed(step_run, error, action.retry, now)
    except RuleViolation as refusal:
        return _failed(step_run, ActionError(refusal.reason), NO_RETRIES, now)
    except Exception as error:  # a bug in an action must not lose the run
        log.exception("Workflow action %s failed on step run %s", step.type, step_run.pk)
        message = f"The action stopped with an unexpected error ({type(error).__name__}: {error})."
        return _failed(step_run, ActionError(message), NO_RETRIES, now)
    return _succeed(step_run, definition, result, now)


def _branch(step_run: StepRun, definition: Definition, step: Step, now: dt.datetime) -> StepRun:
    """The first branch whose filters the record meets now, else "otherwise" (WQ-7)."""
    enrollment = step_run.enrollment
    for index, branch in enumerate(step.branches):
        if record_matches(enrollment.object_type, enrollment.object_id, branch.filters):
            return _succeed(step_run, definition, {"branch": branch.label}, now, chosen=index)
    return _succeed(step_run, definition, {"branch": "None met"}, now, chosen=-1)


@transaction.atomic
def _succeed(
    step_run: StepRun,
    definition: Definition,
    result: dict[str, Any],
    now: dt.datetime,
    *,
    chosen: int | None = None,
) -> StepRun:
    enrollment = Enrollment.objects.select_for_update().get(pk=step_run.enrollment_id)
    _close(step_run, StepStatus.SUCCEEDED, now, result=result)
    next_id = definition.next_after(step_run.step_id, chosen)
    _advance(enrollment, definition, next_id, step_run.sequence + 1, now)
    return step_run


@transaction.atomic
def _skip(step_run: StepRun, definition: Definition, reason: str, now: dt.datetime) -> StepRun:
    enrollment = Enrollment.objects.select_for_update().get(pk=step_run.enrollment_id)
    _close(step_run, StepStatus.SKIPPED, now, error=reason)
    _advance(
        enrollment, definition, definition.next_after(step_run.step_id), step_run.sequence + 1, now
    )
    return step_run


@transaction.atomic
def _failed(step_run: StepRun, error: ActionError, policy: Any, now: dt.datetime) -> StepRun:
    """Retry later when the error allows and time remains; else stop the enrollment here."""
    enrollment = Enrollment.objects.select_for_update().get(pk=step_run.enrollment_id)
    started = step_run.first_attempt_at or now
    wait = policy.next_wait(step_run.attempts, error.retry_after)
    if error.retryable and now + wait - started <= policy.give_up_after:
        step_run.status = StepStatus.RETRYING
        step_run.run_after = now + wait
        step_run.error = (
            f"{error.message} Attempt {step_run.attempts} failed; "
            f"next try at {_iso(step_run.run_after)}."
        )
        step_run.claimed_until = None
        step_run.save(update_fields=["status", "run_after", "error", "claimed_until"])
        _queue(step_run)
        return step_run
    _close(step_run, StepStatus.FAILED, now, error=error.message)
    enrollment.status = EnrollmentStatus.FAILED
    enrollment.save(update_fields=["status"])
    return step_run


@transaction.atomic
def _finish_without(
    step_run: StepRun, reason: str, status: EnrollmentStatus, now: dt.datetime
) -> StepRun:
    enrollment = Enrollment.objects.select_for_update().get(pk=step_run.enrollment_id)
    _close(step_run, StepStatus.SKIPPED, now, error=reason)
    enrollment.status = status
    enrollment.finished_at = now
    enrollment.save(update_fields=["status", "finished_at"])
    return step_run


def _close(
    step_run: StepRun,
    status: StepStatus,
    now: dt.datetime,
    *,
    error: str = "",
    result: dict[str, Any] | None = None,
) -> None:
    """The step is done (succeeded, failed or skipped): its log row says how, and it is free."""
    step_run.status = status
    step_run.error = error
    step_run.result = result or {}
    step_run.finished_at = now
    step_run.claimed_until = None
    step_run.save(update_fields=["status", "error", "result", "finished_at", "claimed_until"])


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


# --- keeping runs alive ----------------------------------------------------------------------


def requeue(step_run: StepRun) -> None:
    """Put a failed step back in line (the user's Retry): it runs again, then the rest."""
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=step_run.enrollment_id)
        updated = StepRun.objects.filter(pk=step_run.pk, status=StepStatus.FAILED).update(
            status=StepStatus.PENDING, run_after=None, first_attempt_at=None, finished_at=None
        )
        if not updated:
            raise RuleViolation("Only a failed action can be retried.", code="invalid_state")
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.finished_at = None
        enrollment.save(update_fields=["status", "finished_at"])
        step_run.refresh_from_db()
        _queue(step_run)


def recover_stale_steps(*, now: dt.datetime | None = None) -> int:
    """Steps whose worker died (claim run out) go back in line, and due steps whose task was
    lost (a crash between commit and queueing) are queued again. A second task for a step is
    harmless: only one can claim it."""
    now = now or timezone.now()
    recovered = 0
    for step_run in StepRun.objects.filter(status=StepStatus.RUNNING, claimed_until__lt=now):
        with transaction.atomic():
            if StepRun.objects.filter(
                pk=step_run.pk, status=StepStatus.RUNNING, claimed_until__lt=now
            ).update(status=StepStatus.PENDING, claimed_until=None, run_after=now):
                step_run.run_after = None
                _queue(step_run)
                recovered += 1
    # Due for longer than a lease and still waiting: its task may be lost. Marking it due
    # `now` keeps the next pass from queueing it again before another lease has passed.
    overdue = now - LEASE
    lost = StepRun.objects.filter(
        Q(run_after__lte=overdue) | Q(run_after__isnull=True, created_at__lte=overdue),
        status__in=[StepStatus.PENDING, StepStatus.RETRYING],
    )
    for step_run in lost:
        with transaction.atomic():
            if StepRun.objects.filter(pk=step_run.pk, status=step_run.status).update(run_after=now):
                step_run.run_after = None
                _queue(step_run)
                recovered += 1
    return recovered
