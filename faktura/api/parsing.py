"""How the API reads request bodies: JSON checked by `faktura.core.text_input.read_json` (nesting,
control characters, lone surrogates), each problem answered as HubSpot's 400 with a sentence; a
body over DATA_UPLOAD_MAX_MEMORY_SIZE as a 413 in the same shape, not Django's HTML page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja.parser import Parser

from faktura.api.errors import ApiError, validation_error
from faktura.core.errors import RuleViolation
from faktura.core.text_input import read_json

API_PREFIXES = ("/crm/", "/faktura/v1/", "/api/")


class CheckedParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return read_json(request.body, "The request body")
        except RuleViolation as refusal:
            # Ninja wraps this in its own 400 ("Cannot parse request body"); the handler of
            # HttpError answers with this error, its cause.
            raise validation_error(refusal.reason, code=refusal.code.upper()) from None


def too_big() -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return ApiError(
        413,
        f"The request body is larger than {limit / 2**20:.1f} MB, the most the API reads. "
        "Send fewer records per request (a batch takes at most 100).",
        "VALIDATION_ERROR",
    ).response()


def refused_query(reason: str) -> HttpResponse:
    return validation_error(reason, code="CONTROL_CHARACTER").response()
