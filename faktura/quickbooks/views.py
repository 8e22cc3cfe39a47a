"""Settings → QuickBooks (super admins, QB-14): the connected companies, connecting one through
Intuit's consent page (OAuth 2 with a single-use `state`), a company's defaults read live from
QuickBooks, product sync and its conflicts, and disconnecting."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faktura.core.errors import RuleViolation
from faktura.core.web import actor_for, forbid_unless, redirect_after_post, render_dialog
from faktura.quickbooks import links, oauth, product_sync, rules, services
from faktura.quickbooks.errors import QuickBooksError
from faktura.quickbooks.forms import DefaultsForm, read_options
from faktura.quickbooks.models import ProductSyncRun, QuickBooksConnection, SyncStatus

# The session key holding the OAuth `state` of a connect in progress, and how long it is good.
STATE_KEY = "quickbooks_oauth_state"
STATE_SECONDS = 600
# Runs shown on a connection's page.
RUNS_SHOWN = 5


def _allowing_consent_page(response: HttpResponse) -> HttpResponse:
    """Connect posts a form answered by a redirect to Intuit's consent page, and browsers hold
    redirects after a form to the page's CSP form-action: pages with Connect allow that origin."""
    if not oauth.is_configured():
        return response
    try:
        consent = urlsplit(oauth.authorize_url(state="", redirect_uri=""))
    except QuickBooksError:
        return response  # Connect then answers with the reason, from Faktura itself
    policy: dict[str, Any] = dict(settings.SECURE_CSP)
    policy["form-action"] = [*policy.get("form-action", []), f"{consent.scheme}://{consent.netloc}"]
    response._csp_config = policy  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return response


def _reason(error: RuleViolation | QuickBooksError) -> str:
    return error.reason if isinstance(error, RuleViolation) else error.message


def _manager(request: HttpRequest) -> Any:
    actor = actor_for(request)
    forbid_unless(rules.can_manage_quickbooks(actor))
    return actor


@login_required
@require_GET
def connections_page(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    context = {
        "connections": QuickBooksConnection.objects.select_related("connected_by"),
        "can_connect": rules.can_connect(actor),
    }
    return _allowing_consent_page(render(request, "quickbooks/connections.html", context))


@login_required
@require_POST
def connect(request: HttpRequest) -> HttpResponse:
    """Send the browser to Intuit's consent page, remembering a random state to check on return."""
    actor = _manager(request)
    list_url = reverse("quickbooks:connections")
    decision = rules.can_connect(actor)
    if not decision:
        messages.error(request, decision.reason)
        return HttpResponseRedirect(list_url)
    state = secrets.token_urlsafe(32)
    try:
        url = oauth.authorize_url(state=state, redirect_uri=_callback_uri(request))
    except QuickBooksError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(list_url)
    request.session[STATE_KEY] = {"state": state, "at": time.time()}
    return HttpResponseRedirect(url)


def _callback_uri(request: HttpRequest) -> str:
    # The address the browser used, so the session cookie comes back with the redirect.
    return request.build_absolute_uri(reverse("quickbooks:callback"))


def _state_problem(request: HttpRequest) -> str:
    """Why the callback's state is not the one this browser was sent with ("" when it is)."""
    stored = request.session.pop(STATE_KEY, None)  # single use, whatever happens next
    returned = request.GET.get("state", "")
    if not isinstance(stored, dict) or not returned:
        return _(
            "Connecting QuickBooks did not start from this browser, or was finished already. "
            "Click “Connect a QuickBooks company” to start again."
        )
    if not secrets.compare_digest(str(stored.get("state", "")), returned):
        return _(
            "QuickBooks sent back a different sign-in than the one Faktura started, so nothing "
            "was connected. Click “Connect a QuickBooks company” to start again."
        )
    if time.time() - float(stored.get("at", 0)) > STATE_SECONDS:
        return _(
            "Connecting QuickBooks took longer than 10 minutes, so Faktura did not accept it. "
            "Click “Connect a QuickBooks company” to start again."
        )
    return ""


@login_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Where Intuit sends the browser back: check the state, then connect the company."""
    actor = _manager(request)
    list_url = reverse("quickbooks:connections")
    problem = _state_problem(request)
    if not problem and request.GET.get("error"):
        problem = (
            _("You did not allow Faktura to use QuickBooks, so nothing was connected.")
            if request.GET["error"] == "access_denied"
            else _("QuickBooks refused the connection (%(error)s). Try connecting again.")
            % {"error": request.GET["error"]}
        )
    if problem:
        messages.error(request, problem)
        return HttpResponseRedirect(list_url)
    try:
        connection = services.connect_company(
            actor=actor,
            code=request.GET.get("code", ""),
            realm_id=request.GET.get("realmId", ""),
            redirect_uri=_callback_uri(request),
        )
    except QuickBooksError as error:
        messages.error(
            request,
            _("QuickBooks could not be connected: %(error)s") % {"error": error.message},
        )
        return HttpResponseRedirect(list_url)
    except RuleViolation as refusal:
        messages.error(request, refusal.reason)
        return HttpResponseRedirect(list_url)
    messages.success(
        request,
        _("%(name)s is connected. Choose its defaults below.") % {"name": connection.company_name},
    )
    return HttpResponseRedirect(reverse("quickbooks:connection", args=[connection.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def connection_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A company's status, its defaults (read live from QuickBooks) and product sync."""
    actor = _manager(request)
    connection = get_object_or_404(QuickBooksConnection, pk=pk)
    form: DefaultsForm | None = None
    read_error = ""
    usable = rules.can_use(connection)
    if usable:
        try:
            options = read_options(connection)
        except QuickBooksError as error:
            read_error = error.message
        else:
            data = request.POST if request.method == "POST" else None
            form = DefaultsForm(connection, options, data)
            if request.method == "POST" and form.is_valid():
                try:
                    services.set_connection_defaults(connection, actor=actor, values=form.values())
                except RuleViolation as refusal:
                    messages.error(request, refusal.reason)
                else:
                    messages.success(request, _("The QuickBooks defaults are saved."))
                    return HttpResponseRedirect(request.path)
    elif request.method == "POST":
        messages.error(request, usable.reason)
    context = {
        "connection": connection,
        "form": form,
        "read_error": read_error,
        "usable": usable,
        "can_connect": rules.can_connect(actor),
        "app_url": links.company_url(connection),
        **_sync_context(connection),
    }
    status = 400 if form is not None and form.errors else 200
    return _allowing_consent_page(
        render(request, "quickbooks/connection.html", context, status=status)
    )


def _sync_context(connection: QuickBooksConnection) -> dict[str, Any]:
    runs = list(ProductSyncRun.objects.filter(connection=connection)[:RUNS_SHOWN])
    latest = runs[0] if runs else None
    conflicts = [
        (index, conflict)
        for index, conflict in enumerate(latest.conflicts if latest else [])
        if isinstance(conflict, dict) and not conflict.get("resolved")
    ]
    return {
        "runs": runs,
        "latest": latest,
        "conflicts": conflicts,
        "in_progress": bool(latest and latest.status in (SyncStatus.QUEUED, SyncStatus.RUNNING)),
    }


@login_required
@require_http_methods(["GET", "POST"])
def sync_products(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the product sync panel (htmx polls it while a run is going); POST: start a run."""
    actor = _manager(request)
    connection = get_object_or_404(QuickBooksConnection, pk=pk)
    if request.method == "POST":
        try:
            product_sync.request_product_sync(connection, actor=actor)
        except (RuleViolation, QuickBooksError) as error:
            messages.error(request, _reason(error))
        else:
            messages.success(request, _("Product sync has started; its counts appear below."))
        return redirect_after_post(request, reverse("quickbooks:connection", args=[pk]))
    return render(
        request,
        "quickbooks/_product_sync.html",
        {
            "connection": connection,
            "usable": rules.can_use(connection),
            **_sync_context(connection),
        },
    )


@login_required
@require_POST
def resolve_conflict(request: HttpRequest, pk: int, run_pk: int, index: int) -> HttpResponse:
    actor = _manager(request)
    run = get_object_or_404(ProductSyncRun, pk=run_pk, connection_id=pk)
    keep = request.POST.get("keep", "")
    if keep not in ("faktura", "quickbooks"):
        messages.error(request, _("Choose whether to keep Faktura's value or QuickBooks' value."))
    else:
        try:
            product_sync.resolve_conflict(run, index, keep=keep, actor=actor)
        except (RuleViolation, QuickBooksError) as error:
            messages.error(request, _reason(error))
        else:
            messages.success(request, _("The conflict is settled."))
    return redirect_after_post(request, reverse("quickbooks:connection", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation dialog; POST: revoke the tokens and mark the company disconnected."""
    actor = _manager(request)
    connection = get_object_or_404(QuickBooksConnection, pk=pk)
    if request.method == "POST":
        services.disconnect_company(connection, actor=actor)
        messages.success(
            request,
            _("%(name)s is disconnected. Faktura no longer sends anything to it.")
            % {"name": connection.company_name},
        )
        return redirect_after_post(request, reverse("quickbooks:connections"))
    return render_dialog(
        request,
        _("Disconnect %(name)s") % {"name": connection.company_name},
        "quickbooks/confirm_disconnect.html",
        {
            "connection": connection,
            "action": reverse("quickbooks:disconnect", args=[connection.pk]),
        },
    )
