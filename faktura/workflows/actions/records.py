"""Record actions (WF-4): “Set a property” of the enrolled record, and “Copy a property from an
associated record” onto it.

Every write goes through the update service the owning app declares (faktura.core.record_services),
so its rules answer in their own words (an archived deal, a finalized invoice while editing is
off). Setting the value a record already has writes nothing and says so: running a step again
changes nothing.

Payments are left out: the payments app declares no service that edits a payment's properties.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.money import currency_of
from faktura.core.properties import ObjectType, Property, PropertyType, object_types, parse_value
from faktura.core.property_forms import model_field_of
from faktura.core.record_services import (
    Association,
    associations_of,
    primary_associated,
    services_for,
)
from faktura.history.readable import ValueText
from faktura.workflows.config_fields import CHOICE, PROPERTY
from faktura.workflows.definition import WORKFLOW_TYPES, object_type_named
from faktura.workflows.registry import (
    ActionContext,
    ActionError,
    ActionType,
    ConfigField,
    action_types,
)

SET_LABEL = "Set a property"
COPY_LABEL = "Copy a property from an associated record"


# The types a workflow may write to: those whose owning app declares an update service.
WRITABLE_TYPES = tuple(
    singular
    for singular in WORKFLOW_TYPES
    if services_for(object_type_named(singular).name).can_update
)


def copy_sources(singular: str) -> dict[str, Association]:
    """The associated records a value can be copied from, by their type's singular name: those
    with one record standing for them (the first contact, the oldest company, the deal)."""
    name = object_type_named(singular).name
    return {
        object_types.get(association.target).singular: association
        for association in associations_of(name)
        if association.primary is not None
    }


COPY_TYPES = tuple(singular for singular in WRITABLE_TYPES if copy_sources(singular))

ASSOCIATION_CHOICES = (
    ("contact", "Associated contact (the first one)"),
    ("company", "Associated company (the oldest one)"),
    ("deal", "Associated deal"),
    ("quote", "Associated quote"),
)


# --- checks shared by both actions --------------------------------------------------------------


def writable(object_type: ObjectType, prop: Property) -> bool:
    """Whether a workflow may set this property: one a user sets directly, through a service
    that accepts it (an invoice's owner, for one, has a service of its own)."""
    return object_type.singular in WRITABLE_TYPES and services_for(object_type.name).updates(prop)


def _target(action: str, object_type: str, name: object) -> tuple[Property | None, list[str]]:
    """The property to write and the problems that stop writing it."""
    if object_type not in WRITABLE_TYPES:
        return None, []  # the registry already says the action cannot run on this type
    kind = object_type_named(object_type)
    try:
        prop = kind.property(str(name))
    except RuleViolation:
        return None, [f"“{action}”: '{name}' is not a {object_type} property."]
    if not writable(kind, prop):
        return None, [
            f"“{action}”: {prop.label} ({prop.name}) is set by Faktura and cannot be changed by "
            "a workflow. Choose another property."
        ]
    return prop, []


def _value_problems(action: str, kind: ObjectType, prop: Property, value: object) -> list[str]:
    try:
        parsed = parse_value(prop, value)
    except RuleViolation as refusal:
        return [f"“{action}”: {refusal.reason}"]
    field = model_field_of(kind.model, prop)
    if field is None:
        return []
    if parsed in (None, ""):
        if not field.blank:
            return [f"“{action}”: {prop.label} cannot be empty. Enter a value."]
        return []
    if not field.is_relation:
        try:  # the column's own limits: length, an email address's form
            field.run_validators(parsed)
        except ValidationError as error:
            return [f"“{action}”: {prop.label}: {' '.join(error.messages)}"]
    return []


# --- the write ----------------------------------------------------------------------------------


def _shown(object_type: ObjectType, record: models.Model, prop: Property, text: str | None) -> str:
    return ValueText(object_type, currency_of(record)).show(prop, text)


def _fresh(context: ActionContext) -> models.Model:
    """The record as stored now: a delay may have passed since it was enrolled."""
    record = context.record
    found: models.Model | None = type(record)._default_manager.filter(pk=record.pk).first()
    if found is None:
        raise ActionError(f"The {context.object_type} no longer exists; nothing was changed.")
    return found


def write_property(
    record: models.Model, object_type: ObjectType, prop: Property, value: object, *, actor: Actor
) -> dict[str, Any]:
    """Set one property through the type's update service; the same value again is a no-op."""
    old = prop.to_text(prop.read(record))
    try:
        wanted = prop.to_text(parse_value(prop, value))
    except RuleViolation as refusal:
        raise ActionError(refusal.reason) from None
    if wanted == old:
        return {
            "property": prop.name,
            "changed": False,
            "value": old,
            "summary": f"{prop.label} is already {_shown(object_type, record, prop, old)}; "
            "nothing was changed.",
        }
    services = services_for(object_type.name)
    try:
        updated = services.update_record(record, actor=actor, values={prop.name: value})
    except RuleViolation as refusal:
        raise ActionError(refusal.reason) from None
    new = prop.to_text(prop.read(updated))
    if new == old:  # the service normalized the value to what it was ("usd" → "USD")
        shown = _shown(object_type, updated, prop, old)
        summary = f"{prop.label} is already {shown}; nothing was changed."
    else:
        summary = (
            f"{prop.label}: {_shown(object_type, record, prop, old)} → "
            f"{_shown(object_type, updated, prop, new)}"
        )
    return {
        "property": prop.name,
        "changed": new != old,
        "old": old,
        "new": new,
        "summary": summary,
    }


# --- “Set a property” ---------------------------------------------------------------------------


def set_property_problems(object_type: str, config: Mapping[str, Any]) -> list[str]:
    prop, found = _target(SET_LABEL, object_type, config.get("property"))
    if prop is None:
        return found
    return _value_problems(SET_LABEL, object_type_named(object_type), prop, config.get("value"))


def set_property(context: ActionContext) -> Mapping[str, Any]:
    if problems := set_property_problems(context.object_type, context.config):
        raise ActionError(" ".join(problems))
    kind = object_type_named(context.object_type)
    prop = kind.property(str(context.config["property"]))
    value = context.config.get("value")
    return write_property(
        _fresh(context), kind, prop, "" if value is None else value, actor=context.actor
    )


action_types.register(
    "set_property",
    ActionType(
        name="set_property",
        label=SET_LABEL,
        description="Set one property of the enrolled record to a value, or clear it.",
        run=set_property,
        fields=(
            ConfigField("property", "Property", kind=PROPERTY),
            ConfigField(
                "value",
                "Value",
                required=False,
                help="As the property is written in imports and the API: an option's internal "
                "value, a date as YYYY-MM-DD, true or false. Leave empty to clear it.",
            ),
        ),
        object_types=WRITABLE_TYPES,
        validate=set_property_problems,
    ),
)


# --- “Copy a property from an associated record” ------------------------------------------------


def _compatibility_problems(source: Property, target: Property) -> list[str]:
    if target.type == PropertyType.STRING:
        return []  # any value can be written as text
    if source.type != target.type:
        return [
            f"“{COPY_LABEL}”: {source.label} is a {source.type.value} and {target.label} is a "
            f"{target.type.value}, so one cannot be copied into the other. Choose properties of "
            "the same type, or a text property to copy into."
        ]
    if source.type == PropertyType.ENUMERATION:
        offered = {option.value for option in target.options}
        if missing := [o.label for o in source.options if o.value not in offered]:
            return [
                f"“{COPY_LABEL}”: {target.label} has no option for {', '.join(missing)} of "
                f"{source.label}. Choose properties with the same options."
            ]
    return []


def _source(object_type: str, config: Mapping[str, Any]) -> tuple[Property | None, list[str]]:
    if object_type not in COPY_TYPES:
        return None, []  # the registry already says the action cannot run on this type
    offered = copy_sources(object_type)
    association = str(config.get("from_association") or "")
    if association not in offered:
        return None, [
            f"“{COPY_LABEL}”: a {object_type} has no associated {association} to copy from. "
            f"Copy from its {' or '.join(offered)}."
        ]
    name = config.get("source_property")
    try:
        return object_type_named(association).property(str(name)), []
    except RuleViolation:
        return None, [f"“{COPY_LABEL}”: '{name}' is not a {association} property."]


def copy_property_problems(object_type: str, config: Mapping[str, Any]) -> list[str]:
    source, found = _source(object_type, config)
    target, target_found = _target(COPY_LABEL, object_type, config.get("target_property"))
    found += target_found
    if source is not None and target is not None:
        found += _compatibility_problems(source, target)
    return found


def copy_property(context: ActionContext) -> Mapping[str, Any]:
    if problems := copy_property_problems(context.object_type, context.config):
        raise ActionError(" ".join(problems))
    kind = object_type_named(context.object_type)
    association = str(context.config["from_association"])
    source = object_type_named(association).property(str(context.config["source_property"]))
    target = kind.property(str(context.config["target_property"]))
    record = _fresh(context)
    other = primary_associated(record, object_type_named(association).name)
    if other is None:
        raise ActionError(
            f"The {kind.singular} has no associated {association} to copy {source.label} from."
        )
    value = source.to_text(source.read(other))
    result = write_property(record, kind, target, value or "", actor=context.actor)
    return {**result, "from": {"object_type": association, "id": other.pk, "name": str(other)}}


action_types.register(
    "copy_property",
    ActionType(
        name="copy_property",
        label=COPY_LABEL,
        description="Copy the value of a property of an associated record (its first contact, "
        "its company, its deal or quote) into a property of the enrolled record.",
        run=copy_property,
        fields=(
            ConfigField("from_association", "Copy from", kind=CHOICE, choices=ASSOCIATION_CHOICES),
            # A property of the associated record's type, which the editor's property picker
            # (the enrolled type's properties) cannot offer: named by its internal name.
            ConfigField(
                "source_property",
                "Property to copy",
                help="The internal name of a property of the associated record, e.g. name.",
            ),
            ConfigField("target_property", "Property to set", kind=PROPERTY),
        ),
        object_types=COPY_TYPES,
        validate=copy_property_problems,
    ),
)
