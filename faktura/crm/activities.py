"""Reading notes and tasks (HubSpot's engagements) for the activities panel of a record page.
They are written by `crm.services` (create_note, create_task, complete_task)."""

from django.db import models

from faktura.core.properties import object_type_for
from faktura.crm.models import Activity

# A record page lists the newest activities, at most this many.
ACTIVITIES_SHOWN = 50


def activities_for(object_type: str, object_id: int) -> models.QuerySet[Activity]:
    """The notes and tasks on one record, newest first. `object_type` is the singular name."""
    return (
        Activity.objects.filter(object_type=object_type, object_id=object_id)
        .select_related("owner")
        .order_by("-created_at", "-id")
    )


def activities_on(record: models.Model) -> models.QuerySet[Activity]:
    """The notes and tasks on a record of any declared object type, newest first."""
    return activities_for(object_type_for(record).singular, record.pk)
