"""Writing an index page's rows to CSV, CSV for Excel or XLSX (INV-26), one chunk of records at
a time. A file with amounts also says their currency."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from faktura.core.actors import Actor
from faktura.core.locales import decimal_mark, locale_label
from faktura.core.money import currency_of, plain, round_money
from faktura.core.properties import ObjectType, Property
from faktura.core.text_input import printable
from faktura.listings import rules
from faktura.listings.columns import export_value
from faktura.listings.models import Export, ExportFormat

# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Every separator a spreadsheet may split a line at: the file's own, and the list separator of
# whatever locale opens it (a ";" Excel splits "x;=1+1" of a comma file into x and =1+1).
SEPARATORS = ",;\t"
# A formula character right after a separator (maybe after quotes or spaces): where a
# spreadsheet that splits there would start a cell with a formula.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\t][\s\"]*)(?=[=+\-@])")
CHUNK = 2_000


@dataclass(frozen=True)
class CsvStyle:
    """How a CSV file is written: plain (RFC 4180, `.` decimals, for programs) or for Excel in a
    locale, which splits columns at its list separator and reads numbers with its decimal mark."""

    delimiter: str = ","
    decimal_mark: str = "."
    encoding: str = "utf-8"
    excel: bool = False


PLAIN_CSV = CsvStyle()


def excel_csv(locale: str) -> CsvStyle:
    """Excel's CSV in `locale`: a BOM (or Excel reads UTF-8 as its legacy code page), and `;`
    between columns where the decimal mark is a comma, as Excel's list separator is then."""
    mark = decimal_mark(locale)
    return CsvStyle(
        delimiter=";" if mark == "," else ",", decimal_mark=mark, encoding="utf-8-sig", excel=True
    )


def format_hints(locale: str) -> dict[str, str]:
    """What each file format is for, as the export dialog says it to a person in `locale`."""
    style = excel_csv(locale)
    return {
        ExportFormat.CSV: _("Commas and decimal points, for other programs and imports."),
        ExportFormat.CSV_EXCEL: _(
            "Opens in Excel as columns: “%(separator)s” between columns and “%(mark)s” before "
            "decimals, as %(language)s writes them."
        )
        % {
            "separator": style.delimiter,
            "mark": style.decimal_mark,
            "language": locale_label(locale),
        },
        ExportFormat.XLSX: _("An Excel workbook with numbers and dates as such."),
    }


def export_columns(object_type: ObjectType, columns: tuple[Property, ...]) -> tuple[Property, ...]:
    """The columns of the file: the chosen ones and, when they include an amount, the currency
    right after the first amount (unless it is chosen too). Types without a currency (products)
    have none to add."""
    currency = next((p for p in object_type.properties if p.field == "currency"), None)
    first_money = next((i for i, p in enumerate(columns) if p.money), None)
    if currency is None or first_money is None or currency in columns:
        return columns
    return (*columns[: first_money + 1], currency, *columns[first_money + 1 :])


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as text, however it splits the line: a quote before a formula
    character at the start and after every separator; control characters dropped (an XLSX file
    cannot hold them, and input refuses them since; see faktura.core.text_input)."""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", printable(text))
    return f"'{text}" if text.lstrip(' "').startswith(FORMULA_STARTS) else text


def csv_text(value: Any, style: CsvStyle = PLAIN_CSV) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # Excel: every decimal the value has (an amount has its currency's), no grouping.
        text = format(value, "f") if style.excel else plain(value)
        return text.replace(".", style.decimal_mark)
    if isinstance(value, dt.datetime) and style.excel:
        return value.replace(tzinfo=None).isoformat(sep=" ")  # Excel reads no offset
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    # Only text can smuggle a formula; numbers and dates were written by us.
    return neutralised(str(value))


def cell_value(prop: Property, record: models.Model) -> Any:
    value = export_value(prop, record)
    if prop.money and isinstance(value, Decimal) and (currency := currency_of(record)):
        return round_money(value, currency)  # 1000.50 for NOK, 1000 for JPY
    return value


def rows(records: Iterable[models.Model], columns: tuple[Property, ...]) -> Iterator[list[Any]]:
    for record in records:
        yield [cell_value(prop, record) for prop in columns]


def write_csv(
    out: IO[str],
    columns: tuple[Property, ...],
    records: Iterable[models.Model],
    progress: Callable[[int], None],
    style: CsvStyle = PLAIN_CSV,
) -> int:
    writer = csv.writer(out, delimiter=style.delimiter)
    writer.writerow([neutralised(p.label) for p in columns])
    done = 0
    for row in rows(records, columns):
        writer.writerow([csv_text(v, style) for v in row])
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
    # Stored as a text cell, never as a formula, whatever it starts with; without the control
    # characters openpyxl refuses (IllegalCharacterError) in records stored before input did.
    cell = make(sheet, value=printable(text))
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
