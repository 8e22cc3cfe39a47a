from django.conf import settings
from django.db import models
from django.utils import timezone


class Company(models.Model):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    tax_id = models.CharField(max_length=50, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When it was archived (soft-deleted, restorable); None while active. See history.records.
    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/companies/{self.pk}/"


class Contact(models.Model):
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=50, blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    companies = models.ManyToManyField(Company, blank=True, related_name="contacts")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When it was archived (soft-deleted, restorable); None while active. See history.records.
    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Contact {self.pk}"

    def get_absolute_url(self) -> str:
        return f"/contacts/{self.pk}/"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class Activity(models.Model):
    """A note or a task on any record (HubSpot's engagements). Generic, because notes attach
    to every object type, invoices included, which crm may not import: the record is named by
    its object type's singular name and its id."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        TASK = "task", "Task"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_type = models.CharField(max_length=40)  # ObjectType.singular: "deal", "invoice"
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=200, blank=True)  # tasks only
    body = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)  # tasks only
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)  # tasks only
    created_at = models.DateTimeField(auto_now_add=True)
    # Who or what made it, as a person reads it: "Ada Lovelace", "Workflow “Won deals”".
    created_by_label = models.CharField(max_length=200, blank=True)
    # Makes creating it safe to repeat: a workflow step that runs twice creates one activity.
    source_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="activity_object")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="note") | ~models.Q(title=""),
                name="activity_task_has_title",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="task")
                | models.Q(due_at__isnull=True, completed_at__isnull=True),
                name="activity_note_has_no_due_date",
            ),
        ]

    def __str__(self) -> str:
        what = self.title or self.body[:40]
        return f"{self.get_kind_display()} on {self.object_type} {self.object_id}: {what}"

    @property
    def is_task(self) -> bool:
        return self.kind == self.Kind.TASK

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def is_overdue(self) -> bool:
        """An open task past its due date."""
        return (
            self.is_task
            and not self.is_done
            and self.due_at is not None
            and self.due_at < timezone.now()
        )
