"""Action types (WF-4): what a workflow step can do. Each declares its configuration fields
(config_fields.py: rendered in the editor, checked on save and publish), the object types it
applies to, whether it is available here (and why not), and `run`, which returns a result or
raises an ActionError saying whether to retry. Apps register their own (QuickBooks will) with
`action_types.register(name, ActionType(...))`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from faktura.core.actors import Actor
from faktura.core.errors import ALLOWED, Decision
from faktura.core.registry import Registry
from faktura.workflows.config_fields import ConfigField, FieldContext


class ActionError(Exception):
    """An action that did not do its work. `message` is for the user, in words they understand;
    `retryable` asks the engine to try again later (at `retry_after` if the other side said)."""

    def __init__(
        self, message: str, *, retryable: bool = False, retry_after: dt.timedelta | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class ActionContext:
    """What a running action knows: its configuration, the enrolled record, who it acts as,
    and a key that is the same every time this step runs (for external calls)."""

    config: Mapping[str, Any]
    record: models.Model
    object_type: str  # singular: "deal"
    actor: Actor
    idempotency_key: str
    workflow_name: str
    first_attempt_at: dt.datetime


@dataclass(frozen=True)
class RetryPolicy:
    """Automatic retries of retryable errors: growing waits from `first` (doubling, at most
    `longest` apart) for as long as `give_up_after` since the first attempt."""

    first: dt.timedelta = dt.timedelta(minutes=1)
    longest: dt.timedelta = dt.timedelta(hours=8)
    give_up_after: dt.timedelta = dt.timedelta(days=3)

    def next_wait(self, attempts: int, retry_after: dt.timedelta | None) -> dt.timedelta:
        wait = min(self.first * (2 ** max(attempts - 1, 0)), self.longest)
        return max(wait, retry_after) if retry_after else wait


NO_RETRIES = RetryPolicy(give_up_after=dt.timedelta(0))


@dataclass(frozen=True)
class ActionType:
    name: str  # stored in definitions: "set_property"
    label: str
    description: str
    run: Callable[[ActionContext], Mapping[str, Any]]
    fields: tuple[ConfigField, ...] = ()
    object_types: tuple[str, ...] | None = None  # singular names; None: every type
    # Only database writes: run in the same transaction that records the step, so its effect
    # and the log row commit together (exactly once). External calls set this False and use
    # the context's idempotency key instead.
    transactional: bool = True
    retry: RetryPolicy = NO_RETRIES
    # Checks a configuration beyond required fields; returns problems in words.
    validate: Callable[[str, Mapping[str, Any]], list[str]] | None = None
    category: str = "Faktura"
    # Whether the action is offered on this install now, and if not, why ("the account's
    # company is not in the United States"); None: always. Asked when the side panel lists the
    # actions, when a step is saved or published, and before a step runs.
    available: Callable[[], Decision] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def applies_to(self, object_type: str) -> bool:
        return self.object_types is None or object_type in self.object_types

    def availability(self) -> Decision:
        return self.available() if self.available else ALLOWED

    def unavailable(self) -> str:
        """Why the action cannot be used here now, as a sentence that names it; "" when it can."""
        decision = self.availability()
        if decision:
            return ""
        return _("“%(action)s” is not available: %(reason)s") % {
            "action": self.label,
            "reason": decision.reason,
        }

    def problems(
        self, object_type: str, config: Mapping[str, Any], context: FieldContext | None = None
    ) -> list[str]:
        """What stops a step of this type from being saved or published, in words. `context`
        shares computed choices with a caller that shows them too (the editor's outline)."""
        found = []
        if not self.applies_to(object_type):
            found.append(f"“{self.label}” cannot run on {object_type} records.")
        if reason := self.unavailable():
            # Its fields' choices may need what is missing (a QuickBooks connection): not asked.
            return [*found, reason]
        context = context or FieldContext(object_type, config)
        for config_field in self.fields:
            found += [f"“{self.label}”: {problem}" for problem in config_field.problems(context)]
        if self.validate and not found:
            found += self.validate(object_type, config)
        return found


action_types: Registry[ActionType] = Registry("workflow action type")
