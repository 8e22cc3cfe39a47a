"""The one domain error, and the Decision that rules answer with."""

from collections.abc import Mapping
from dataclasses import dataclass


class RuleViolation(Exception):
    """An action was refused. `reason` is a sentence for the user: what and why, and what to do."""

    def __init__(self, reason: str, *, code: str = "rule_violation") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class BatchRefused(RuleViolation):
    """Some inputs of a batch were refused, so nothing of it was written. `refused`: each refused
    input's index in the batch (from 0) and why."""

    def __init__(self, refused: Mapping[int, RuleViolation], total: int) -> None:
        first = min(refused)
        super().__init__(
            f"{len(refused)} of {total} inputs were refused, so none was written; the first, "
            f"input {first + 1}: {refused[first].reason} Correct them and send the batch again.",
            code="batch_refused",
        )
        self.refused = dict(sorted(refused.items()))


@dataclass(frozen=True)
class Decision:
    ok: bool
    reason: str = ""
    code: str = ""

    def __bool__(self) -> bool:
        return self.ok


ALLOWED = Decision(True)


def refuse(reason: str, code: str = "rule_violation") -> Decision:
    return Decision(False, reason, code)


def require(decision: Decision) -> None:
    """Raise the decision's reason when it says no; services call this after locking."""
    if not decision.ok:
        raise RuleViolation(decision.reason, code=decision.code or "rule_violation")
