"""Saved views of index pages, and exports of their rows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """Filters, columns and sort saved under a name; private to its owner or shared (INV-24)."""

    object_type = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    shared = models.BooleanField(default=False)
    # The same shapes as the URL: filter groups as JSON, property names, "-name" for descending.
    filters = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=list, blank=True)
    sort = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["object_type", "owner"], name="saved_view_type_owner")]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "owner", "name"], name="unique_view_name_per_owner"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    # Semicolons and decimal commas where the exporting person's locale writes decimal commas.
    CSV_EXCEL = "csv_excel", _("CSV for Excel")
    XLSX = "xlsx", _("Excel (XLSX)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Export(models.Model):
    """One export of an index page's rows (INV-26), written by a background task."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    object_type = models.CharField(max_length=64)
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    # What to export: filters (JSON groups), search, columns, sort, and ticked ids (or none).
    params = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Export {self.pk} of {self.object_type}"

    def get_absolute_url(self) -> str:
        return f"/exports/{self.pk}/"

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
