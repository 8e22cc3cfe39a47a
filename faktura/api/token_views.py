"""Settings → API tokens (super admins): list tokens, create one (its secret shown once), revoke."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faktura.accounts.permissions import can_manage_settings
from faktura.api import tokens
from faktura.api.models import ApiToken
from faktura.api.scopes import OBJECT_SCOPES, SCOPE_NAMES, WORKFLOWS, label_of
from faktura.core.errors import RuleViolation
from faktura.core.web import actor_for, forbid_unless, redirect_after_post, render_dialog


@dataclass(frozen=True)
class ScopeRow:
    """One row of the scope picker: an object type with its read and write checkbox (one
    checkbox when a single scope covers both, as `e-commerce` does for products)."""

    label: str
    read: str
    write: str | None
    note: str = ""


def _scope_rows() -> list[ScopeRow]:
    rows = [
        ScopeRow(g.label, g.read, None, "read and write")
        if g.write == g.read
        else ScopeRow(g.label, g.read, g.write)
        for g in OBJECT_SCOPES
    ]
    return [*rows, ScopeRow("Workflows", WORKFLOWS, None, "export, import, turn on and off")]


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    forbid_unless(can_manage_settings(actor))
    error = ""
    created: tuple[ApiToken, str] | None = None
    name = request.POST.get("name", "")
    chosen = request.POST.getlist("scopes")
    if request.method == "POST":
        try:
            created = tokens.create_token(actor=actor, name=name, scopes=chosen)
        except RuleViolation as refusal:
            error = refusal.reason
    context: dict[str, Any] = {
        "tokens": [
            (
                token,
                [(scope, label_of(scope)) for scope in token.scopes],
                set(token.scopes) >= SCOPE_NAMES,
            )
            for token in ApiToken.objects.select_related("created_by")
        ],
        "scope_rows": _scope_rows(),
        "error": error,
        # After a successful create the form starts empty again.
        "name": "" if created else name,
        "chosen": set() if created else set(chosen),
        "base_url": request.build_absolute_uri("/").rstrip("/"),
    }
    if created:
        context["new_token"], context["new_secret"] = created
    response = render(request, "api/tokens.html", context, status=400 if error else 200)
    # The page may carry a secret: never keep it in a cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    forbid_unless(can_manage_settings(actor))
    token = get_object_or_404(ApiToken, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            token = tokens.revoke_token(token, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(
                request,
                f"API token “{token.name}” is revoked. Programs that use it are refused from now "
                "on.",
            )
            return redirect_after_post(request, reverse("api:tokens"))
    decision = tokens.can_revoke(token)
    return render_dialog(
        request,
        f"Revoke API token “{token.name}”",
        "api/confirm_revoke.html",
        {
            "token": token,
            "error": error or decision.reason,
            "allowed": decision.ok,
            "action": reverse("api:revoke_token", args=[token.pk]),
        },
        status=400 if error and not request.htmx else 200,  # type: ignore[attr-defined]
    )
