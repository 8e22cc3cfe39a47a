"""The events a workflow can be triggered by (WF-2), each read from one history entry: the
feed hands every committed entry to `matches`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from faktura.core.registry import Registry
from faktura.history.models import Entry


@dataclass(frozen=True)
class TriggerEvent:
    name: str  # stored in definitions: "property_changed"
    label: str
    object_types: tuple[str, ...] | None  # singular names; None: every type
    test: Callable[[Entry, Mapping[str, Any]], bool]
    needs_property: bool = False  # "property_changed" names a property (and maybe to/from)

    def applies_to(self, object_type: str) -> bool:
        return self.object_types is None or object_type in self.object_types

    def matches(self, entry: Entry, spec: Mapping[str, Any]) -> bool:
        return self.test(entry, spec)


def _created(entry: Entry, spec: Mapping[str, Any]) -> bool:
    return entry.kind == Entry.Kind.EVENT and entry.event_type == f"{entry.object_type}.created"


def _property_changed(entry: Entry, spec: Mapping[str, Any]) -> bool:
    """A change of the named property, optionally to and/or from a value (as stored)."""
    if entry.kind != Entry.Kind.CHANGE or entry.property != spec.get("property"):
        return False
    if spec.get("to") not in (None, "") and entry.new_value != str(spec["to"]):
        return False
    return spec.get("from") in (None, "") or entry.old_value == str(spec["from"])


def _event(event_type: str) -> Callable[[Entry, Mapping[str, Any]], bool]:
    return lambda entry, spec: entry.kind == Entry.Kind.EVENT and entry.event_type == event_type


def _status_became(status: str) -> Callable[[Entry, Mapping[str, Any]], bool]:
    # A payment's status is recorded as a change of hs_latest_status, at creation too.
    return lambda entry, spec: (
        entry.kind == Entry.Kind.CHANGE
        and entry.property == "hs_latest_status"
        and entry.new_value == status
    )


trigger_events: Registry[TriggerEvent] = Registry("workflow trigger event")
for _event_type in (
    TriggerEvent("created", "Record created", None, _created),
    TriggerEvent(
        "property_changed", "Property changed", None, _property_changed, needs_property=True
    ),
    TriggerEvent(
        "invoice_finalized", "Invoice finalized", ("invoice",), _event("invoice.finalized")
    ),
    TriggerEvent(
        "payment_succeeded", "Payment succeeded", ("payment",), _status_became("succeeded")
    ),
    TriggerEvent(
        "payment_refunded", "Payment fully refunded", ("payment",), _status_became("refunded")
    ),
    # Recorded by quote e-signatures (SPEC "later"); nothing writes quote.signed yet.
    TriggerEvent("quote_signed", "Quote e-signed", ("quote",), _event("quote.signed")),
):
    trigger_events.register(_event_type.name, _event_type)
