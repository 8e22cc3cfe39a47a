from django.contrib import admin

from faktura.core.admin_readonly import ReadOnlyAdmin
from faktura.history.models import Entry


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "object_type",
        "object_id",
        "kind",
        "property",
        "event_type",
        "actor_kind",
        "actor_label",
    )
    list_filter = ("object_type", "kind", "actor_kind")
