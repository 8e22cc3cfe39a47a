"""Writing a document's lines: deals and quotes here, invoices through the same routine."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import models
from django.utils import timezone

from faktura.sales.lines import LineInput
from faktura.sales.models import LineNumber, PricedLine


def _nothing(line: LineInput) -> Mapping[str, Any]:
    return {}


def store_lines[L: PricedLine](
    model: type[L],
    current: models.QuerySet[L],
    lines: Sequence[LineInput],
    derived: Callable[[LineInput], Mapping[str, Any]] = _nothing,
    /,
    **parent: Any,
) -> None:
    """Make `current` hold exactly `lines`, in order. A restated line (its id given) keeps its id
    and creation time; a new one draws an id from the counter every line shares (ADR 0006); each
    written row gets its `derived` fields too (an invoice line's amounts); the others go."""
    kept = [line.id for line in lines if line.id is not None]
    current.exclude(pk__in=kept).delete()
    stored = {line.pk: line for line in current.filter(pk__in=kept)}
    fresh = iter(LineNumber.objects.draw(sum(1 for line in lines if line.id is None)))
    now = timezone.now()
    changed: list[L] = []
    added: list[L] = []
    position = -1
    for line in lines:
        row = stored.get(line.id) if line.id is not None else None
        if row is None:  # new, or moved here from another record with its id (attach)
            position += 1
            added.append(model(id=line.id or next(fresh), position=position, **parent,
                               **line.as_fields(), **derived(line)))  # fmt: skip
            continue
        # Positions only order the lines: a kept row keeps its own while the order holds, so
        # removing or appending a line rewrites no other row (renumbering them all did).
        position = row.position if row.position > position else position + 1
        fields = line.as_fields()
        if row.position == position and all(getattr(row, k) == v for k, v in fields.items()):
            continue  # restated as it is
        for name, value in {**fields, **derived(line)}.items():
            setattr(row, name, value)
        row.position, row.updated_at = position, now
        changed.append(row)
    # Changed rows are written again under their ids (nothing references a line by foreign
    # key): bulk_update's CASE per row and column took seconds for 500 rows.
    model._default_manager.filter(pk__in=[row.pk for row in changed]).delete()
    model._default_manager.bulk_create([*changed, *added])
