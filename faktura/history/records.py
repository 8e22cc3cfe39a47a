"""Create and update simple CRM records from declared properties, with history.

Used by the services of contacts, companies, products, deals and quotes: their writable
properties map one-to-one onto model fields, so one routine serves them all.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.properties import ObjectType, object_type_for, parse_value
from faktura.history import services as history


def _assign(obj: models.Model, object_type: ObjectType, values: Mapping[str, Any]) -> None:
    for name, raw in values.items():
        prop = object_type.property(name)
        if prop.read_only or prop.compute is not None or not prop.field or "__" in prop.field:
            raise RuleViolation(f"{prop.label} ({name}) is set by Faktura and cannot be written.")
        setattr(obj, prop.field, parse_value(prop, raw))


def validate(obj: models.Model) -> None:
    """Model field validation, reported as one sentence per problem."""
    try:
        obj.full_clean(validate_unique=True, validate_constraints=True)
    except ValidationError as error:
        problems = [
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in error.message_dict.items()
        ]
        raise RuleViolation(
            "Please correct: " + "; ".join(problems), code="invalid_value"
        ) from None


def create_record[M: models.Model](
    model: type[M], *, actor: Actor, values: Mapping[str, Any], **fields: Any
) -> M:
    obj = model(**fields)
    _assign(obj, object_type_for(model), values)
    validate(obj)
    with transaction.atomic():
        obj.save()
        history.record_created(obj, actor=actor)
    return obj


def update_record[M: models.Model](obj: M, *, actor: Actor, values: Mapping[str, Any]) -> M:
    object_type = object_type_for(obj)
    with transaction.atomic():
        obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        before = object_type.snapshot(obj)
        _assign(obj, object_type, values)
        validate(obj)
        obj.save()
        history.record_changes(obj, before, object_type.snapshot(obj), actor=actor)
    return obj
