"""Stripe's error answers: `{"error": {"type", "code", "message", "param", "doc_url"}}`."""

from __future__ import annotations

from typing import Any

DOCS = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    """An error answer, raised from anywhere in a request."""

    def __init__(
        self,
        status: int,
        kind: str,
        message: str,
        code: str | None = None,
        param: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.code = code
        self.param = param
        self.extra = extra

    def body(self, request_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.kind}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = DOCS + self.code.replace("_", "-")
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        return {"error": error}

    @classmethod
    def invalid(
        cls, message: str, param: str | None = None, code: str | None = None
    ) -> StripeError:
        return cls(400, "invalid_request_error", message, code, param)

    @classmethod
    def missing_param(cls, param: str) -> StripeError:
        return cls.invalid(f"Missing required param: {param}.", param, "parameter_missing")

    @classmethod
    def unknown_param(cls, param: str) -> StripeError:
        return cls.invalid(f"Received unknown parameter: {param}", param, "parameter_unknown")

    @classmethod
    def no_such(cls, kind: str, object_id: str, param: str = "id") -> StripeError:
        return cls(
            404,
            "invalid_request_error",
            f"No such {kind}: '{object_id}'",
            "resource_missing",
            param,
        )

    @classmethod
    def not_found(cls, method: str, path: str) -> StripeError:
        return cls(
            404,
            "invalid_request_error",
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/.",
        )
