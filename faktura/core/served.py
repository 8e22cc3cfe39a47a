"""The address Faktura is served at, for links to itself (invoice links, set-password links)
while no domain is set in Settings: `FAKTURA_BASE_URL` (which `manage.py serve` sets from its
port, so the worker's emails and PDFs carry it too), else the address of the request being
answered, else Django's development default."""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

FALLBACK = "http://127.0.0.1:8000"
_request_origin: ContextVar[str] = ContextVar("request_origin", default="")


def served_address() -> str:
    return settings.FAKTURA_BASE_URL or _request_origin.get() or FALLBACK


class ServedAddressMiddleware:
    """Remembers the answered request's scheme and host (checked against ALLOWED_HOSTS)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_origin.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
