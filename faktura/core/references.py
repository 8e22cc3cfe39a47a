"""Properties that hold another record's id (an owner, a deal, a contact) and how people read them:
by that record's name. Which model a property points at is the model's own foreign key whose
column is the property's field, so the fact is declared once; history, table cells, exports,
forms and placeholders all ask here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db import models
from django.utils.translation import gettext as _

from faktura.core.properties import Property


def reference_field(
    model: type[models.Model], prop: Property
) -> models.ForeignKey[Any, Any] | None:
    """The foreign key whose id the property holds (hubspot_owner_id → owner), if any."""
    if prop.field is None or "__" in prop.field:
        return None
    for field in model._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.attname == prop.field:
            return field
    return None


def referred_model(model: type[models.Model], prop: Property) -> type[models.Model] | None:
    """The model of the records the property's ids name (a user, a deal, a contact)."""
    field = reference_field(model, prop)
    return cast(type[models.Model], field.related_model) if field is not None else None


def record_name(record: models.Model) -> str:
    """A record as people know it: a person's full name, else what the record calls itself."""
    return str(getattr(record, "full_name", "") or record)


class RecordNames:
    """Records by id, loaded in bulk and kept, so a log of many values costs one query per model
    rather than one per value. Looked up when shown: a rename shows everywhere at once."""

    def __init__(self) -> None:
        self._loaded: dict[type[models.Model], dict[int, models.Model | None]] = {}

    def load[M: models.Model](self, model: type[M], ids: Iterable[int]) -> dict[int, M]:
        """The records of these ids that still exist (and every other one loaded before)."""
        known = self._loaded.setdefault(model, {})
        if missing := set(ids) - set(known):
            found = model._default_manager.in_bulk(list(missing))
            known.update({pk: found.get(pk) for pk in missing})
        return {pk: cast(M, record) for pk, record in known.items() if record is not None}

    def name(self, model: type[models.Model], text: str) -> str:
        """The name of the record with this id; the id when that record was deleted."""
        if not text.isdigit():
            return text
        record = self.load(model, [int(text)]).get(int(text))
        if record is None:
            return _("%(kind)s %(id)s (deleted)") % {"kind": model._meta.verbose_name, "id": text}
        return record_name(record)
