"""Saving views (INV-24) and exporting rows (INV-26): every write of the listings app."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any, cast

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from faktura.accounts.models import User
from faktura.accounts.services import user_locale
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.properties import object_types
from faktura.listings import exports, queries, rules
from faktura.listings import filters as flt
from faktura.listings.models import Export, ExportFormat, ExportStatus, SavedView
from faktura.listings.saved_views import stored
from faktura.listings.state import ListingState, default_sort, parse_columns, parse_sort

logger = logging.getLogger(__name__)

MAX_NAME = 100
MAX_TICKED = 1_000


# --- saved views -----------------------------------------------------------------------------


def save_view(state: ListingState, *, actor: Actor, name: str, shared: bool) -> SavedView:
    """Save the page's filters, columns and sort as a new view of the actor's."""
    require(rules.can_save_view(actor, shared=shared))
    name = _view_name(name)
    _require_usable(state)
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                object_type=state.object_type.name,
                name=name,
                owner=_user(actor),
                shared=shared,
                **stored(state),
            )
    except IntegrityError:
        raise _name_taken(name) from None


def update_view(view_id: int, state: ListingState, *, actor: Actor) -> SavedView:
    """Replace a view's filters, columns and sort with the page's."""
    _require_usable(state)
    with transaction.atomic():
        view = _view_for_update(view_id)
        require(rules.can_change_view(view, actor))
        for key, value in stored(state).items():
            setattr(view, key, value)
        view.save(update_fields=["filters", "columns", "sort", "updated_at"])
    return view


def rename_view(view_id: int, *, actor: Actor, name: str, shared: bool) -> SavedView:
    name = _view_name(name)
    try:
        with transaction.atomic():
            view = _view_for_update(view_id)
            require(rules.can_change_view(view, actor, shared=shared))
            view.name, view.shared = name, shared
            view.save(update_fields=["name", "shared", "updated_at"])
    except IntegrityError:
        raise _name_taken(name) from None
    return view


def delete_view(view_id: int, *, actor: Actor) -> None:
    with transaction.atomic():
        view = _view_for_update(view_id)
        require(rules.can_change_view(view, actor))
        view.delete()


def _user(actor: Actor) -> User:
    return cast(User, actor.user)


def _view_for_update(view_id: int) -> SavedView:
    try:
        return SavedView.objects.select_for_update().select_related("owner").get(pk=view_id)
    except SavedView.DoesNotExist:
        raise RuleViolation(
            "That view no longer exists; someone may have deleted it.", code="not_found"
        ) from None


def _view_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise RuleViolation("Give the view a name, e.g. 'Overdue this month'.", code="invalid")
    if len(name) > MAX_NAME:
        raise RuleViolation(
            f"A view name can be at most {MAX_NAME} characters; this one has {len(name)}.",
            code="invalid",
        )
    return name


def _name_taken(name: str) -> RuleViolation:
    return RuleViolation(
        f"You already have a view named '{name}'. Pick another name, or open that view and "
        "save your changes into it.",
        code="duplicate",
    )


def _require_usable(state: ListingState) -> None:
    if errors := state.filters.errors:
        raise RuleViolation(
            "The filters have problems, so nothing was saved: " + " ".join(errors),
            code="invalid_filter",
        )


# --- exports ---------------------------------------------------------------------------------


def start_export(
    state: ListingState, *, actor: Actor, file_format: str, ids: list[int] | None = None
) -> Export:
    """Queue an export of every row of the page's view, or only of the ticked rows."""
    if actor.user is None:
        raise RuleViolation("Only a signed-in user can export.", code="permission_denied")
    if file_format not in ExportFormat.values:
        raise RuleViolation(
            _("Pick CSV, CSV for Excel or Excel (XLSX) as the file format."), code="invalid"
        )
    _require_usable(state)
    if ids is not None:
        if not ids:
            raise RuleViolation(
                "No rows are ticked. Tick the rows to export, or export all rows.",
                code="invalid",
            )
        if len(ids) > MAX_TICKED:
            raise RuleViolation(
                f"At most {MAX_TICKED} ticked rows can be exported at once; export all rows "
                "of a filtered view instead.",
                code="invalid",
            )
    params = {
        **stored(state),
        "search": state.search,
        "ids": sorted(set(ids)) if ids is not None else None,
    }
    with transaction.atomic():
        export = Export.objects.create(
            owner=_user(actor),
            object_type=state.object_type.name,
            format=file_format,
            params=params,
        )
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from faktura.listings.tasks import run_export_task

    run_export_task.enqueue(export_id)


def export_state(export: Export) -> ListingState:
    object_type = object_types.get(export.object_type)
    params: dict[str, Any] = export.params
    notices: list[str] = []
    return ListingState(
        object_type,
        filters=flt.from_json(object_type, params.get("filters")),
        search=params.get("search") or "",
        columns=parse_columns(object_type, ",".join(params.get("columns") or []), notices),
        sort=(
            parse_sort(object_type, params["sort"], notices)
            if params.get("sort")
            else default_sort(object_type)
        ),
        locale=user_locale(export.owner),
    )


def run_export(export_id: int, *, retaking: bool = False) -> str:
    """Write the export's file; safe to repeat (a finished or running export is left alone).
    `retaking`: the task's earlier run was cut short (its worker died), so an export it left
    running is written again from the start; its file is saved only at the end."""
    startable = [ExportStatus.QUEUED, ExportStatus.RUNNING] if retaking else [ExportStatus.QUEUED]
    with transaction.atomic():
        export = Export.objects.select_for_update().get(pk=export_id)
        if export.status not in startable:
            return export.status
        export.status = ExportStatus.RUNNING
        export.rows_done = 0
        export.save(update_fields=["status", "rows_done"])
    try:
        _write(export)
    except Exception as error:
        logger.exception("Export %s failed", export_id)
        reason = error.reason if isinstance(error, RuleViolation) else "an unexpected error"
        Export.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED,
            message=f"The export failed because of {reason}. Start it again; if it fails "
            "again, tell your administrator.",
            finished_at=timezone.now(),
        )
        return ExportStatus.FAILED
    return ExportStatus.DONE


def _write(export: Export) -> None:
    state = export_state(export)
    if errors := state.filters.errors:
        raise RuleViolation(" ".join(errors))
    records = queries.ordered(state)
    ids = export.params.get("ids")
    if ids is not None:
        records = records.filter(pk__in=ids)
    total = records.count()
    Export.objects.filter(pk=export.pk).update(rows_total=total)
    columns = exports.export_columns(state.object_type, state.columns)
    records = queries.for_columns(records, columns)

    def progress(done: int) -> None:
        Export.objects.filter(pk=export.pk).update(rows_done=done)

    suffix = ".xlsx" if export.format == ExportFormat.XLSX else ".csv"
    with tempfile.TemporaryDirectory(prefix="faktura-export-") as folder:
        path = Path(folder) / f"export{suffix}"
        chunks = records.iterator(chunk_size=exports.CHUNK)
        if export.format == ExportFormat.XLSX:
            done = exports.write_xlsx(str(path), columns, chunks, progress, state.object_type.label)
        else:
            style = (
                exports.excel_csv(state.locale)
                if export.format == ExportFormat.CSV_EXCEL
                else exports.PLAIN_CSV
            )
            with path.open("w", newline="", encoding=style.encoding) as out:
                done = exports.write_csv(out, columns, chunks, progress, style)
        with path.open("rb") as written:
            export.file.save(
                exports.file_name(export, state.object_type.label), File(written), save=False
            )
    Export.objects.filter(pk=export.pk).update(
        file=export.file.name,
        rows_done=done,
        rows_total=done,
        status=ExportStatus.DONE,
        message=ngettext("%(count)s row exported.", "%(count)s rows exported.", done)
        % {"count": done},
        finished_at=timezone.now(),
    )
