"""The one domain error, and the Decision that rules answer with."""

from dataclasses import dataclass


class RuleViolation(Exception):
    """An action was refused. `reason` is a sentence for the user: what and why, and what to do."""

    def __init__(self, reason: str, *, code: str = "rule_violation") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


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
