"""One append-only table of property changes and events (INV-16, INV-32).

It feeds the property history panel, the edit log, `propertiesWithHistory` and the workflow
change feed. Rows are only ever inserted: the model refuses updates and deletes, and a database
trigger refuses UPDATE statements that bypass the ORM.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from faktura.core.actors import ActorKind


class AppendOnlyError(Exception):
    pass


class EntryQuerySet(models.QuerySet["Entry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("History entries cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("History entries cannot be deleted.")

    def for_object(self, object_type: str, object_id: int) -> "EntryQuerySet":
        return self.filter(object_type=object_type, object_id=object_id)


class Entry(models.Model):
    class Kind(models.TextChoices):
        CHANGE = "change", "Property change"
        EVENT = "event", "Event"

    object_type = models.CharField(max_length=40)  # ObjectType.singular: "invoice"
    object_id = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    property = models.CharField(max_length=100, blank=True)
    old_value = models.TextField(null=True, blank=True)
    new_value = models.TextField(null=True, blank=True)
    event_type = models.CharField(max_length=60, blank=True)  # dotted: "invoice.finalized"
    data = models.JSONField(default=dict, blank=True)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    # No database constraint: deleting a user must neither fail nor rewrite history.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "history entries"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="history_object"),
            models.Index(
                fields=["object_type", "object_id", "property", "-at"], name="history_prop"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="change") & ~models.Q(property=""))
                | (models.Q(kind="event") & ~models.Q(event_type="")),
                name="history_entry_kind_complete",
            )
        ]

    def __str__(self) -> str:
        what = self.event_type or f"{self.property}: {self.old_value} → {self.new_value}"
        return f"{self.object_type} {self.object_id} {what}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("History entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("History entries cannot be deleted.")
