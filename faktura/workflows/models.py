"""Workflows (WF-1…WF-4): a definition with a draft and published versions, the records
enrolled in it, each step an enrollment runs (the action log), and where the change feed is."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Workflow(models.Model):
    """Bound to one object type (WF-1); off until turned on. `draft` is what the editor
    changes; `published` is what new enrollments run."""

    name = models.CharField(max_length=200)
    object_type = models.CharField(max_length=40)  # ObjectType.singular: "deal"
    enabled = models.BooleanField(default=False)
    draft = models.JSONField(default=dict)
    published = models.ForeignKey(
        "WorkflowVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    enabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("workflows:workflow", args=[self.pk])

    @property
    def has_unpublished_changes(self) -> bool:
        return self.published is None or self.published.definition != self.draft


class WorkflowVersion(models.Model):
    """A published definition, never changed: enrollments keep the version they started with."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["workflow", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "number"], name="workflow_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.workflow} v{self.number}"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Stopped at a failed action"
    CANCELLED = "cancelled", "Unenrolled"


class Enrollment(models.Model):
    """One record going through one workflow version. `trigger_key` names what enrolled it
    (a history entry, "existing" at turn-on, a manual enrollment), unique per workflow and
    record: the same occurrence never enrolls twice, however often the feed is read."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="enrollments")
    version = models.ForeignKey(WorkflowVersion, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    trigger_key = models.CharField(max_length=80)
    trigger = models.CharField(max_length=300, blank=True)  # what enrolled it, in words
    status = models.CharField(
        max_length=20, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "object_id", "trigger_key"], name="enrollment_once_per_trigger"
            )
        ]
        indexes = [models.Index(fields=["object_type", "object_id"], name="enrollment_record")]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} in {self.workflow}"


class StepStatus(models.TextChoices):
    PENDING = "pending", "Waiting to run"
    RUNNING = "running", "Running"
    RETRYING = "retrying", "Will retry"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


# A step run in one of these is finished; the others will still run.
FINISHED = (StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED)


class StepRun(models.Model):
    """One step of one enrollment: the action log row (WF-4). `sequence` counts the steps the
    enrollment ran, so (enrollment, sequence) is the step's idempotency key: a step picked up
    again after a crash is the same row, and its effect happens once."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveIntegerField()
    step_id = models.CharField(max_length=40)
    step_type = models.CharField(max_length=60)
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING)
    run_after = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    input = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrollment", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "sequence"], name="step_run_once")
        ]
        indexes = [models.Index(fields=["status", "claimed_until"], name="step_run_claims")]

    def __str__(self) -> str:
        return f"{self.step_type} #{self.sequence} of {self.enrollment}"

    @property
    def idempotency_key(self) -> str:
        return f"faktura-wf{self.enrollment.workflow_id}-e{self.enrollment_id}-s{self.sequence}"


class FeedCursor(models.Model):
    """How far the change feed has been read (one row): the last history entry handled, and
    the last run, readable by a person."""

    name = models.CharField(max_length=40, unique=True)
    last_entry_id = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run: Any = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at entry {self.last_entry_id}"
