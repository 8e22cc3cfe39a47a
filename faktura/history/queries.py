"""Reading history: the edit log (INV-32) and one property's earlier values (INV-16)."""

from django.db import models

from faktura.core.properties import object_type_for
from faktura.history.models import Entry, EntryQuerySet


def edit_log(obj: models.Model) -> EntryQuerySet:
    return Entry.objects.for_object(object_type_for(obj).singular, obj.pk).select_related(
        "actor_user"
    )


def property_history(obj: models.Model, property_name: str) -> EntryQuerySet:
    """Newest first, like HubSpot's propertiesWithHistory."""
    object_type = object_type_for(obj)
    object_type.property(property_name)  # unknown names are refused with a clear message
    return edit_log(obj).filter(kind=Entry.Kind.CHANGE, property=property_name)
