"""What went wrong with QuickBooks, in words (QB-12): QuickBooks' own message, the field it
names, whether trying again can help, and what the user should do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FaultDetail:
    code: str
    message: str
    detail: str
    element: str


class QuickBooksError(Exception):
    """A QuickBooks call that did not do its work. `retryable`: the same call may work later
    (throttling, a server or network error), at `retry_after` seconds when known."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        faults: tuple[FaultDetail, ...] = (),
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status
        self.faults = faults
        self.retry_after = retry_after

    @property
    def code(self) -> str:
        return self.faults[0].code if self.faults else ""


class ReconnectNeeded(QuickBooksError):
    """Intuit no longer accepts the connection's tokens: a user must connect the company again."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False, status=401)


# What to do about the faults a user can fix, by QuickBooks code.
_WHAT_TO_DO = {
    "610": "The record was deleted or made inactive in QuickBooks; restore it there or choose "
    "another one.",
    "2010": "Faktura sent a field QuickBooks does not know; this is a bug in Faktura, please "
    "report it with this message.",
    "2020": "Fill in the field QuickBooks names, in Faktura or in the action's settings.",
    "2030": "The QuickBooks record it refers to does not exist; choose another in the settings.",
    "2500": "The account, customer or item it refers to no longer exists in QuickBooks; choose "
    "another one in Settings → QuickBooks or the action's settings.",
    "5010": "The record was changed in QuickBooks at the same time; try again.",
    "6000": "QuickBooks refused it by a business rule; fix what its message names in "
    "QuickBooks or in Faktura, then try again.",
    "6140": "That document number is already used in QuickBooks. Turn off custom transaction "
    "numbers in QuickBooks (Account and settings → Sales), or use another number.",
    "6240": "Another customer, vendor or employee already has that name in QuickBooks; rename "
    "one of them.",
}

_RETRYABLE_CODES = {"3001", "3100", "3200", "10000"}


def faults_in(body: Any) -> tuple[FaultDetail, ...]:
    """The errors of a QBO fault answer: `{"Fault": {"Error": [...]}}` or the lower-case
    `{"fault": {"error": [...]}}` Intuit uses for authentication."""
    if not isinstance(body, dict):
        return ()
    fault = body.get("Fault") or body.get("fault")
    if not isinstance(fault, dict):
        return ()
    errors = fault.get("Error") or fault.get("error") or []
    return tuple(
        FaultDetail(
            code=str(error.get("code", "")),
            message=str(error.get("Message") or error.get("message") or ""),
            detail=str(error.get("Detail") or error.get("detail") or ""),
            element=str(error.get("element") or ""),
        )
        for error in errors
        if isinstance(error, dict)
    )


def error_from_faults(
    what: str, status: int, faults: tuple[FaultDetail, ...], retry_after: float | None = None
) -> QuickBooksError:
    """The error for a fault answer to `what` ("Creating the invoice")."""
    if status == 429 or any(f.code == "3001" for f in faults):
        return QuickBooksError(
            _("%(what)s: QuickBooks asked Faktura to slow down (too many requests); it will "
            "try again.") % {"what": what},
            retryable=True, status=429, faults=faults, retry_after=retry_after,
        )  # fmt: skip
    if status >= 500:
        said = "; ".join(f.message for f in faults) or _("no explanation")
        return QuickBooksError(
            _("%(what)s: QuickBooks had a server error (%(status)s: %(said)s); it will try "
            "again.") % {"what": what, "status": status, "said": said},
            retryable=True, status=status, faults=faults,
        )  # fmt: skip
    if not faults:
        return QuickBooksError(
            _("%(what)s: QuickBooks answered %(status)s without saying why.")
            % {"what": what, "status": status},
            retryable=False, status=status,
        )  # fmt: skip
    parts = []
    for fault in faults:
        said = fault.message
        if fault.detail and fault.detail != fault.message:
            said = f"{said}: {fault.detail}"
        if fault.element:
            said = _("%(said)s (field %(field)s)") % {"said": said, "field": fault.element}
        parts.append(f"{said} [{fault.code}]")
    todo = _WHAT_TO_DO.get(faults[0].code, "")
    message = _("%(what)s failed. QuickBooks said: %(said)s.") % {
        "what": what,
        "said": "; ".join(parts),
    }
    if todo:
        message = f"{message} {_(todo)}"
    return QuickBooksError(
        message,
        retryable=any(f.code in _RETRYABLE_CODES for f in faults),
        status=status,
        faults=faults,
    )
