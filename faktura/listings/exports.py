"""Writing an index page's rows to CSV or XLSX (INV-26), one chunk of records at a time."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.db import models
from django.http import Http404

from faktura.core.actors import Actor
from faktura.core.money import plain
from faktura.core.properties import Property
from faktura.listings import rules
from faktura.listings.columns import export_value
from faktura.listings.models import Export, ExportFormat

# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2_000


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as text: a leading quote before a formula character."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    # Only text can smuggle a formula; numbers and dates were written by us.
    return neutralised(str(value))


def rows(records: Iterable[models.Model], columns: tuple[Property, ...]) -> Iterator[list[Any]]:
    for record in records:
        yield [export_value(prop, record) for prop in columns]


def write_csv(
    out: IO[str],
    columns: tuple[Property, ...],
    records: Iterable[models.Model],
    progress: Callable[[int], None],
) -> int:
    writer = csv.writer(out)
    writer.writerow([neutralised(p.label) for p in columns])
    done = 0
    for row in rows(records, columns):
        writer.writerow([csv_text(v) for v in row])
        done += 1
        if done % CHUNK == 0:
            progress(done)
    return done


def write_xlsx(
    path: str,
    columns: tuple[Property, ...],
    records: Iterable[models.Model],
    progress: Callable[[int], None],
    title: str,
) -> int:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

    # Write-only mode streams rows to disk: a million rows never sit in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([_text_cell(sheet, WriteOnlyCell, p.label) for p in columns])
    done = 0
    for row in rows(records, columns):
        sheet.append([_xlsx_cell(sheet, WriteOnlyCell, v) for v in row])
        done += 1
        if done % CHUNK == 0:
            progress(done)
    workbook.save(path)
    return done


def _xlsx_cell(sheet: Any, make: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        cell = make(sheet, value=value.replace(tzinfo=None))  # Excel has no time zones
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, dt.date):
        cell = make(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, Decimal | int):
        return make(sheet, value=value)
    return _text_cell(sheet, make, str(value))


def _text_cell(sheet: Any, make: Any, text: str) -> Any:
    # Stored as a text cell, never as a formula, whatever it starts with.
    cell = make(sheet, value=text)
    cell.data_type = "s"
    return cell


def file_name(export: Export, label: str) -> str:
    day = (export.created_at or dt.datetime.now()).date().isoformat()
    extension = "xlsx" if export.format == ExportFormat.XLSX else "csv"
    return f"{label.lower().replace(' ', '-')}-{day}-{export.pk}.{extension}"


def get_export_for(actor: Actor, pk: Any) -> Export:
    """The export, or 404 for anyone but the person who made it."""
    try:
        export = Export.objects.get(pk=int(pk))
    except (Export.DoesNotExist, ValueError, TypeError):
        raise Http404("No such export.") from None
    if not rules.can_download_export(export, actor):
        raise Http404("No such export.")
    return export
