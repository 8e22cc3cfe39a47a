"""What every CRM record page shows beside the record: its properties and its edit log.

Used by the pages of contacts and companies here and of products, deals and quotes in sales.
"""

from typing import Any

from django.db import models

from faktura.crm.models import Company, Contact
from faktura.history.models import Entry
from faktura.history.readable import LogGroup, describe_any_event, edit_log_groups


def _associated(data: dict[str, Any]) -> str:
    for key, model in (("contact", Contact), ("company", Company)):
        if isinstance(pk := data.get(key), int):
            record = model.objects.filter(pk=pk).first()
            return f"{key} {record}" if record else f"{key} {pk} (since deleted)"
    return "a record"


def describe_event(entry: Entry) -> str:
    """Association events name the contact or company they added or removed."""
    _, _, action = entry.event_type.partition(".")
    if action == "association_added":
        return f"Added {_associated(entry.data or {})}"
    if action == "association_removed":
        return f"Removed {_associated(entry.data or {})}"
    return describe_any_event(entry)


def record_log(record: models.Model) -> list[LogGroup]:
    """The record's edit log, newest first: who changed what, and when (INV-32)."""
    return edit_log_groups(record, describe_event)
