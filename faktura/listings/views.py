"""Index pages of every object type: the table, filters, views, columns and exports."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from faktura.core.errors import RuleViolation
from faktura.core.locales import people_locale
from faktura.core.properties import ObjectType, Property, object_types
from faktura.core.web import (
    actor_for,
    forbid_unless,
    is_htmx,
    redirect_after_post,
    render_dialog,
)
from faktura.listings import editor, exports, queries, rules, saved_views, services
from faktura.listings import filters as flt
from faktura.listings.columns import Cell, cell
from faktura.listings.defaults import defaults_for
from faktura.listings.models import ExportFormat
from faktura.listings.state import ListingState, state_from_query


@dataclass(frozen=True)
class Header:
    prop: Property
    url: str  # empty when the column cannot be sorted
    direction: str  # "asc", "desc" or ""


@dataclass(frozen=True)
class Row:
    pk: Any
    url: str
    title: str
    cells: list[Cell]


def _state(request: HttpRequest, object_type: ObjectType, query: Any = None) -> ListingState:
    """The page's state from the URL (or a form), starting from the chosen view if any."""
    query = request.GET if query is None else query
    saved = None
    if view_id := query.get("view"):
        view = saved_views.get_view_for(actor_for(request), object_type, view_id)
        saved = saved_views.view_state(view, object_type)
    return state_from_query(object_type, query, saved=saved, locale=people_locale())


@login_required
def index(request: HttpRequest, object_type: ObjectType) -> HttpResponse:
    actor = actor_for(request)
    state = _state(request, object_type)
    sent_rows = flt.is_row_data(request.GET) or "col" in request.GET or "apply" in request.GET
    if sent_rows and not state.filters.problems and not state.filters.errors:
        # The filter editor and the columns dialog send rows; answer with the short URL. A
        # value that cannot be read stays as typed, beside its reason, instead.
        return redirect(state.url())
    defaults = defaults_for(object_type)
    errors = state.filters.errors
    notices = list(state.notices)
    page = None
    found: tuple[int, bool] = (0, False)
    if not errors:
        try:
            page = queries.page(state)
        except queries.CursorError as error:
            notices.append(f"{error} Showing the first page instead.")
            state = replace(state, after="", before="")
            page = queries.page(state)
        found = queries.count(state)
    views = list(saved_views.visible_views(request.user, object_type))
    active = next((v for v in views if v.pk == state.view_id), None)
    hidden = state.params(after="", before="")
    count, more = found
    groups = editor.rows_for(object_type, state.filters)
    context = {
        "object_type": object_type,
        "path": defaults.path,
        "state": state,
        "hidden": hidden,
        "query": urlencode(hidden),
        "query_without_view": urlencode([(k, v) for k, v in hidden if k != "view"]),
        "headers": [_header(state, prop) for prop in state.columns],
        "rows": [_row(state, record) for record in page.rows] if page else [],
        "next_url": state.url(after=page.next_cursor) if page and page.next_cursor else "",
        "previous_url": (
            state.url(before=page.previous_cursor) if page and page.previous_cursor else ""
        ),
        "count_text": ngettext("%(count)s %(noun)s", "%(count)s %(nouns)s", count)
        % {
            "count": f"{count:,}{'+' if more else ''}",
            "noun": object_type.noun,
            "nouns": object_type.nouns,
        },
        "errors": errors,
        "notices": notices,
        "filter_groups": [(str(g), rows) for g, rows in enumerate(groups)]
        or [(editor.new_id(), [])],
        "filter_summary": [[c.describe() for c in group] for group in state.filters.groups],
        "clear_filters_url": state.url(filters=flt.Filters()),
        "views": views,
        "active_view": active,
        "active_view_changed": bool(
            active and not state.same_content(saved_views.view_state(active, object_type))
        ),
        "can_change_active": bool(active and rules.can_change_view(active, actor)),
        "bulk_actions": [a for a in defaults.bulk_actions if a.allowed(actor)],
        "links": defaults.links,
        "create_url": (
            f"/{defaults.path}/new/" if defaults.creatable and defaults.can_edit(actor) else ""
        ),
    }
    return render(request, "listings/index.html", context, status=400 if errors else 200)


def _header(state: ListingState, prop: Property) -> Header:
    direction = ""
    if state.sort and state.sort.prop == prop:
        direction = "desc" if state.sort.descending else "asc"
    return Header(prop, state.sort_url(prop) if prop.queryable else "", direction)


def _row(state: ListingState, record: Any) -> Row:
    url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    return Row(record.pk, url, str(record), [cell(prop, record) for prop in state.columns])


# --- the filter editor (HTMX partials) -------------------------------------------------------


@login_required
def filter_row(request: HttpRequest, object_type: ObjectType) -> HttpResponse:
    """One filter row, drawn again when its property or operator changes, or added new."""
    row = editor.row_from_request(object_type, request.GET)
    return render(
        request,
        "listings/index.html#filter_row",
        {"filter": row, "path": defaults_for(object_type).path},
    )


@login_required
def filter_group(request: HttpRequest, object_type: ObjectType) -> HttpResponse:
    """A new OR group with one empty row."""
    row = editor.row_from_request(object_type, {})
    return render(
        request,
        "listings/index.html#filter_group",
        {"group": [row], "group_id": row.group, "path": defaults_for(object_type).path},
    )


# --- columns ---------------------------------------------------------------------------------


@login_required
def edit_columns(request: HttpRequest, object_type: ObjectType) -> HttpResponse:
    """Choose and order the columns (INV-25); the choice goes back into the page's URL."""
    state = _state(request, object_type)
    chosen = list(state.columns)
    others = [p for p in object_type.properties if p not in chosen]
    return render_dialog(
        request,
        "Edit columns",
        "listings/columns_dialog.html",
        {
            "object_type": object_type,
            "state": state,
            "choices": [(p, True) for p in chosen] + [(p, False) for p in others],
            "hidden": [(k, v) for k, v in state.params(after="", before="") if k != "cols"],
            "reset_url": state.url(columns=()),
        },
    )


# --- saved views -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new_view(request: HttpRequest, object_type: ObjectType) -> HttpResponse:
    actor = actor_for(request)
    data = request.POST if request.method == "POST" else request.GET
    state = _state(request, object_type, data)
    name, shared = data.get("name", ""), data.get("shared") == "on"
    error = ""
    if request.method == "POST":
        try:
            view = services.save_view(state, actor=actor, name=name, shared=shared)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(request, f"View '{view.name}' saved.")
            return redirect_after_post(request, f"/{state.path}/?view={view.pk}")
    return render_dialog(
        request,
        "Save view",
        "listings/view_dialog.html",
        {
            "object_type": object_type,
            "action": f"/{state.path}/views/new/",
            "name": name,
            "shared": shared,
            "error": error,
            "can_share": bool(rules.can_save_view(actor, shared=True)),
            "hidden": [(k, v) for k, v in state.params(after="", before="") if k != "view"],
            "submit": "Save view",
        },
        status=_dialog_status(request, error),
    )


@login_required
@require_http_methods(["POST"])
def save_view_changes(request: HttpRequest, object_type: ObjectType, view_id: int) -> HttpResponse:
    actor = actor_for(request)
    view = saved_views.get_view_for(actor, object_type, view_id)
    forbid_unless(rules.can_change_view(view, actor))
    state = _state(request, object_type, request.POST)
    try:
        services.update_view(view.pk, state, actor=actor)
    except RuleViolation as refusal:
        messages.error(request, refusal.reason)
        return redirect_after_post(request, state.url())
    messages.success(request, f"View '{view.name}' updated.")
    return redirect_after_post(request, f"/{state.path}/?view={view.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, object_type: ObjectType, view_id: int) -> HttpResponse:
    """Rename a view and choose whether the team sees it."""
    actor = actor_for(request)
    view = saved_views.get_view_for(actor, object_type, view_id)
    forbid_unless(rules.can_change_view(view, actor))
    path = defaults_for(object_type).path
    name, shared = view.name, view.shared
    error = ""
    if request.method == "POST":
        name, shared = request.POST.get("name", ""), request.POST.get("shared") == "on"
        try:
            services.rename_view(view.pk, actor=actor, name=name, shared=shared)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(request, "View saved.")
            return redirect_after_post(request, f"/{path}/?view={view.pk}")
    return render_dialog(
        request,
        f"Edit view '{view.name}'",
        "listings/view_dialog.html",
        {
            "object_type": object_type,
            "action": f"/{path}/views/{view.pk}/edit/",
            "name": name,
            "shared": shared,
            "error": error,
            "can_share": bool(rules.can_save_view(actor, shared=True)),
            "hidden": [],
            "submit": "Save",
        },
        status=_dialog_status(request, error),
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_view(request: HttpRequest, object_type: ObjectType, view_id: int) -> HttpResponse:
    actor = actor_for(request)
    view = saved_views.get_view_for(actor, object_type, view_id)
    forbid_unless(rules.can_change_view(view, actor))
    path = defaults_for(object_type).path
    error = ""
    if request.method == "POST":
        try:
            services.delete_view(view.pk, actor=actor)
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            messages.success(request, f"View '{view.name}' deleted.")
            return redirect_after_post(request, f"/{path}/")
    return render_dialog(
        request,
        "Delete view",
        "listings/delete_view_dialog.html",
        {"view": view, "action": f"/{path}/views/{view.pk}/delete/", "error": error},
        status=_dialog_status(request, error),
    )


# --- exports ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new_export(request: HttpRequest, object_type: ObjectType) -> HttpResponse:
    """Export all rows of the page's view, or only the ticked ones (INV-26)."""
    actor = actor_for(request)
    data = request.POST if request.method == "POST" else request.GET
    state = _state(request, object_type, data)
    ids = _ids(data.getlist("ids"))
    which = data.get("rows") or ("ticked" if ids else "all")
    file_format = data.get("format", ExportFormat.CSV)
    error = ""
    if request.method == "POST":
        try:
            export = services.start_export(
                state,
                actor=actor,
                file_format=file_format,
                ids=ids if which == "ticked" else None,
            )
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            return redirect_after_post(request, export.get_absolute_url())
    found = (0, False) if state.filters.errors else queries.count(state)
    hints = exports.format_hints(state.locale)
    return render_dialog(
        request,
        f"Export {object_type.label.lower()}",
        "listings/export_dialog.html",
        {
            "object_type": object_type,
            "action": f"/{state.path}/export/",
            "hidden": state.params(after="", before=""),
            "ids": ids,
            "which": which,
            "file_format": file_format,
            "formats": [(value, label, hints[value]) for value, label in ExportFormat.choices],
            "count": found[0],
            "count_text": f"{found[0]:,}{'+' if found[1] else ''}",
            "columns": exports.export_columns(object_type, state.columns),
            "error": error,
        },
        status=_dialog_status(request, error),
    )


def _dialog_status(request: HttpRequest, error: str) -> int:
    # HTMX swaps only successful answers: a refused form is shown again inside the dialog.
    return 400 if error and not is_htmx(request) else 200


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 19]


@login_required
def export_status(request: HttpRequest, export_id: int) -> HttpResponse:
    export = exports.get_export_for(actor_for(request), export_id)
    object_type = _object_type_named(export.object_type)
    context = {
        "export": export,
        "object_type": object_type,
        "index_url": f"/{defaults_for(object_type).path}/",
    }
    if is_htmx(request):
        return render(request, "listings/export.html#progress", context)
    return render(request, "listings/export.html", context)


@login_required
def download_export(request: HttpRequest, export_id: int) -> FileResponse:
    export = exports.get_export_for(actor_for(request), export_id)
    if not export.file:
        raise Http404("The export has no file yet.")
    object_type = _object_type_named(export.object_type)
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=exports.file_name(export, object_type.label),
    )


def _object_type_named(name: str) -> ObjectType:
    try:
        return object_types.get(name)
    except LookupError:
        raise Http404("No such list.") from None
