"""QuickBooks Online's error answers: the `Fault` envelope, its codes, and the 401 envelope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qbo_sandbox.clock import qbo_time

OBJECT_NOT_FOUND_DETAIL = (
    "Object Not Found : Something you're trying to use has been made inactive. "
    "Check the fields with accounts, customers, items, vendors or employees."
)


@dataclass(frozen=True)
class FaultError:
    message: str
    detail: str
    code: str
    # QBO leaves `element` out of some faults (4001, 6240, 2010) and sends "" in others.
    element: str | None = None

    def as_json(self) -> dict[str, str]:
        error = {"Message": self.message, "Detail": self.detail, "code": self.code}
        return error if self.element is None else {**error, "element": self.element}


@dataclass
class Fault(Exception):
    """One QBO fault answer: its HTTP status, its errors and its type."""

    status: int
    errors: list[FaultError]
    type: str = "ValidationFault"
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "Fault": {"Error": [e.as_json() for e in self.errors], "type": self.type},
            "time": qbo_time(),
        }

    def item(self) -> dict[str, Any]:
        """The fault as one batch item answers it (no "time")."""
        return {"Fault": {"Error": [e.as_json() for e in self.errors], "type": self.type}}


def validation(code: str, message: str, detail: str, element: str | None = None) -> Fault:
    return Fault(400, [FaultError(message, detail, code, element)])


def not_found() -> Fault:
    return validation("610", "Object Not Found", OBJECT_NOT_FOUND_DETAIL, "")


def stale_object() -> Fault:
    return validation(
        "5010",
        "Stale Object Error",
        "Stale Object Error : You and root were working on this at the same time. "
        "root finished before you did, so your work was not saved.",
        "",
    )


def duplicate_name(entity: str, name: str, existing_id: str) -> Fault:
    return validation(
        "6240",
        "Duplicate Name Exists Error",
        f"The name supplied already exists. : Another {entity.lower()} is already using "
        f"this name. Please use a different name. Id={existing_id}",
    )


def duplicate_doc_number(doc_number: str) -> Fault:
    return validation(
        "6140",
        "Duplicate Document Number Error",
        "Duplicate Document Number Error : You must specify a different number. "
        f"This number has already been used. DocNumber={doc_number}",
    )


def required_missing(element: str) -> Fault:
    return validation(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {element} is missing in the request",
        element,
    )


def invalid_id(value: object) -> Fault:
    return validation(
        "2030", "Invalid ID", f"Id should be a valid number. Supplied value:{value}", "Id"
    )


def invalid_reference(element: str, value: object) -> Fault:
    return validation(
        "2500",
        "Invalid Reference Id",
        f"Invalid Reference Id : {element} Id {value} does not exist",
        element,
    )


def invalid_enumeration(value: object, element: str) -> Fault:
    return validation("2170", "Invalid Enumeration", f"Invalid Enumeration : {value}", element)


def business(detail: str, element: str = "") -> Fault:
    return validation(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        element,
    )


def amount_mismatch(amount: object, expected: object) -> Fault:
    return validation(
        "6070",
        "Amount is not equal to UnitPrice * Qty",
        f"Amount is not equal to UnitPrice * Qty. Supplied value:{amount}, expected {expected}",
        "Line.Amount",
    )


def unsupported(detail: str) -> Fault:
    return validation("500", "Unsupported Operation", f"Operation {detail} is not supported.")


def unparseable(detail: str) -> Fault:
    return validation("500", "Unsupported Operation", f"The request body cannot be read: {detail}")


def throttled(retry_after: int | None = None) -> Fault:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return Fault(
        429,
        [
            FaultError(
                "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                "The request limit was reached.  Try again later",
                "3001",
            )
        ],
        type="SERVICE",
        headers=headers,
    )


def system_fault(status: int = 500) -> Fault:
    return Fault(
        status,
        [
            FaultError(
                "An application error has occurred while processing your request",
                "System Failure Error: An unexpected error occurred while accessing or "
                "saving your data. Please wait a few minutes and try again.",
                "10000",
            )
        ],
        type="SystemFault",
    )


def forbidden_realm() -> Fault:
    return Fault(
        403,
        [
            FaultError(
                "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                "Token is not authorized for this company",
                "3100",
            )
        ],
        type="AuthorizationFault",
    )


def authentication_envelope(detail: str, now_ms: int) -> dict[str, Any]:
    """The lower-case 401 body QBO answers for an expired, revoked or unknown access token."""
    return {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "detail": detail,
                    "code": "3200",
                    "element": None,
                }
            ],
            "type": "AUTHENTICATION",
        },
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": now_ms,
        "status": None,
        "cdcresponse": [],
    }
