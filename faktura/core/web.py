"""What every staff view needs: the acting user, rule decisions as HTTP answers, dialogs."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from faktura.core.actors import Actor
from faktura.core.errors import Decision, RuleViolation


def actor_for(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)  # type: ignore[arg-type]


def forbid_unless(decision: Decision) -> None:
    """A permission decision that says no becomes 403 with its reason."""
    if not decision:
        raise PermissionDenied(decision.reason)


def show_refusal(request: HttpRequest, error: RuleViolation) -> None:
    messages.error(request, error.reason)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def render_dialog(
    request: HttpRequest, title: str, body_template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A dialog in the shared modal when HTMX asks for it; a page of its own otherwise."""
    return render(
        request,
        "core/dialog.html",
        {
            **context,
            "dialog_title": title,
            "dialog_body": body_template,
            "dialog_base": "core/bare.html" if is_htmx(request) else "core/base.html",
        },
        status=status,
    )


def redirect_after_post(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful form in a dialog, load the next page in full (HTMX or not)."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def attachment_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file the browser downloads under `filename`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
