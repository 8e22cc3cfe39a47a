"""HubSpot's error body for every API refusal:
{"status": "error", "message", "correlationId", "category", "errors": [...]}."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse, JsonResponse


@dataclass
class ApiError(Exception):
    """A refusal the API answers with `status` and HubSpot's error body.

    category: VALIDATION_ERROR, INVALID_AUTHENTICATION, MISSING_SCOPES, OBJECT_NOT_FOUND,
    RATE_LIMITS, CONFLICT, ... as HubSpot names them.
    """

    status: int
    message: str
    category: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": str(uuid.uuid4()),
            "category": self.category,
        }
        if self.errors:
            body["errors"] = self.errors
        return body

    def response(self) -> HttpResponse:
        response = JsonResponse(self.body(), status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def validation_error(message: str, *, code: str = "INVALID_VALUE", **context: Any) -> ApiError:
    detail: dict[str, Any] = {"message": message, "code": code}
    if context:
        detail["context"] = {k: v if isinstance(v, list) else [v] for k, v in context.items()}
    return ApiError(400, message, "VALIDATION_ERROR", errors=[detail])


def not_found(object_type: str, object_id: str) -> ApiError:
    return ApiError(
        404,
        f"No {object_type} with id {object_id} exists (or it was archived).",
        "OBJECT_NOT_FOUND",
    )
