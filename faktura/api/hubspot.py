"""The HTTP API: one NinjaAPI serving HubSpot's paths (both path families) with HubSpot's
error bodies, bearer-token auth and scopes; OpenAPI at /api/openapi.json, docs at /api/docs."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from faktura.api import associations, extensions, objects, properties, workflows
from faktura.api.auth import Caller, authenticate_request
from faktura.api.errors import ApiError
from faktura.api.parsing import CheckedParser, too_big


def _authenticate(request: HttpRequest) -> Caller:
    return authenticate_request(request)


api = NinjaAPI(
    title="Faktura API",
    version="2026-03",
    description="HubSpot-compatible CRM objects API (contacts, companies, deals, quotes, "
    "products, line items, invoices, commerce payments) plus Faktura's own endpoints.",
    auth=_authenticate,
    openapi_url="/api/openapi.json",
    docs_url="/api/docs",
    urls_namespace="hubspot_api",
    parser=CheckedParser(),
)

for family, prefix in (("v3", "/crm/v3/objects"), ("v2026_03", "/crm/objects/2026-03")):
    api.add_router(prefix, objects.build_router(family))
for family, prefix in (("v3", "/crm/v3/properties"), ("v2026_03", "/crm/properties/2026-03")):
    api.add_router(prefix, properties.build_router(family))
api.add_router("/crm/v4/objects", associations.build_router())
api.add_router("/faktura/v1", extensions.build_router())
api.add_router("/faktura/v1/workflows", workflows.build_router())


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return error.response()


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: Exception) -> HttpResponse:
    return ApiError(
        401,
        "Authentication credentials not found. Send a private app token as "
        "'Authorization: Bearer <token>'.",
        "INVALID_AUTHENTICATION",
    ).response()


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    details = [_detail(e) for e in error.errors]
    message = "Invalid input: " + "; ".join(d["message"] for d in details)
    return ApiError(400, message, "VALIDATION_ERROR", errors=details).response()


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if isinstance(error.__cause__, ApiError):  # the body parser's refusal, wrapped by Ninja
        return error.__cause__.response()
    return ApiError(error.status_code, str(error), "VALIDATION_ERROR").response()


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    return too_big()


def _detail(error: dict[str, Any]) -> dict[str, Any]:
    where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body",))
    return {"message": f"{where}: {error.get('msg', 'invalid')}", "code": "INVALID_INPUT"}
