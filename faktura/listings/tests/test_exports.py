"""Exports (INV-26): all rows of a view or the ticked ones, CSV or XLSX, chosen columns in
order, safe against formula injection, downloadable by their owner only."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook  # type: ignore[import-untyped]

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.listings import exports, services
from faktura.listings.models import Export, ExportStatus
from faktura.listings.tests.querying import state_for

pytestmark = pytest.mark.django_db

COLUMNS = "hs_object_id,lastname,email,createdate"


@pytest.fixture
def people(system):
    return [
        crm.create_contact(actor=system, firstname="Ada", lastname="Lovelace", email="a@x.io"),
        crm.create_contact(actor=system, firstname="Eve", lastname="=HYPERLINK(1)", email="e@y.io"),
        crm.create_contact(actor=system, firstname="Max", lastname="-2+3", email="m@x.io"),
    ]


def run(user, query, file_format="csv", ids=None):
    export = services.start_export(
        state_for("contacts", query), actor=Actor.for_user(user), file_format=file_format, ids=ids
    )
    # The immediate task backend runs on commit; tests run inside one transaction.
    services.run_export(export.pk)
    export.refresh_from_db()
    return export


def read_csv(export):
    with export.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8"))))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+47 22 00 00 00", "'+47 22 00 00 00"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Ada", "Ada"),
        ("a=b", "a=b"),
    ],
)
def test_text_that_starts_like_a_formula_is_neutralised(text, shown):  # SPEC INV-26
    assert exports.neutralised(text) == shown
    assert exports.csv_text(text) == shown


def test_numbers_and_dates_are_written_plainly():  # SPEC INV-26
    assert exports.csv_text(Decimal("-12.5000")) == "-12.5"
    assert exports.csv_text(dt.date(2026, 3, 1)) == "2026-03-01"
    assert exports.csv_text(None) == ""


def test_csv_has_the_chosen_columns_in_order_and_every_row_of_the_view(
    editor_user, people
):  # SPEC INV-26
    export = run(editor_user, f"cols={COLUMNS}&sort=lastname&f=0:email:contains:x.io")
    assert export.status == ExportStatus.DONE
    assert (export.rows_done, export.rows_total) == (2, 2)
    assert export.message == "2 rows exported."
    rows = read_csv(export)
    assert rows[0] == ["Record ID", "Last name", "Email", "Create date"]
    assert [row[:3] for row in rows[1:]] == [
        [str(people[2].pk), "'-2+3", "m@x.io"],
        [str(people[0].pk), "Lovelace", "a@x.io"],
    ]
    created = dt.datetime.fromisoformat(rows[1][3])
    assert created.tzinfo is not None


def test_only_the_ticked_rows(editor_user, people):  # SPEC INV-26
    export = run(editor_user, f"cols={COLUMNS}", ids=[people[0].pk, people[1].pk])
    rows = read_csv(export)
    assert sorted(row[1] for row in rows[1:]) == ["'=HYPERLINK(1)", "Lovelace"]


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers(editor_user, people):  # SPEC INV-26
    export = run(editor_user, f"cols={COLUMNS}&sort=hs_object_id", file_format="xlsx")
    with export.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Record ID", "Last name", "Email", "Create date")
    assert [row[1] for row in rows[1:]] == ["Lovelace", "=HYPERLINK(1)", "-2+3"]
    assert rows[1][0] == people[0].pk
    assert isinstance(rows[1][3], dt.datetime)
    # Stored as a text cell: a spreadsheet shows it, it never runs it.
    assert sheet.cell(row=3, column=2).data_type == "s"


def test_invoice_export_has_money_as_plain_decimals_and_dates_in_iso(
    editor_user, make_invoice
):  # SPEC INV-26
    invoice = make_invoice(finalized=True)
    export = services.start_export(
        state_for("invoices", "cols=hs_number,hs_amount_billed,hs_due_date,hs_invoice_status"),
        actor=Actor.for_user(editor_user),
        file_format="csv",
    )
    services.run_export(export.pk)
    export.refresh_from_db()
    rows = read_csv(export)
    assert rows[0] == ["Invoice number", "Total", "Currency", "Due date", "Invoice status"]
    assert rows[1] == [invoice.number, "250", "USD", invoice.due_date.isoformat(), "Open"]


# --- CSV for Excel and the currency column ---------------------------------------------------


def export_invoices(user, query, file_format):
    export = services.start_export(
        state_for("invoices", query), actor=Actor.for_user(user), file_format=file_format
    )
    services.run_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.message
    with export.file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def nok_invoice(make_invoice, system):
    """An open NOK invoice of 1,000.50, nothing paid."""
    return make_invoice(
        finalized=True,
        values={"hs_currency": "NOK"},
        lines=[{"name": "Licence", "unit_price": "1000.50", "quantity": "1"}],
    )


INVOICE_COLUMNS = (
    "cols=hs_number,hs_invoice_status,hs_amount_billed,hs_balance_due,hs_finalized_date"
)


@pytest.mark.parametrize("locale", ["nb-NO", "fi-FI", "de-DE"])
def test_csv_for_excel_in_a_decimal_comma_locale(editor_user, nok_invoice, locale):
    # SPEC INV-26
    # SPEC DOC-4
    editor_user.locale = locale
    editor_user.save(update_fields=["locale"])
    data = export_invoices(editor_user, INVOICE_COLUMNS, "csv_excel")
    assert data.startswith(b"\xef\xbb\xbf")  # the UTF-8 BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Invoice number", "Invoice status", "Total", "Currency", "Balance due", "Finalized date"
    ]  # fmt: skip
    number, status, total, currency, balance, finalized = rows[1]
    assert (number, status, total, currency, balance) == (
        nok_invoice.number, "Open", "1000,50", "NOK", "1000,50"
    )  # fmt: skip
    # A moment as Excel reads it: ISO date and time, without an offset.
    assert dt.datetime.fromisoformat(finalized).tzinfo is None
    assert len(finalized) == len("2026-03-01 12:00:00")


def test_csv_for_excel_in_english_uses_commas_and_decimal_points(
    editor_user, nok_invoice
):  # SPEC INV-26
    editor_user.locale = "en-GB"
    editor_user.save(update_fields=["locale"])
    data = export_invoices(editor_user, "cols=hs_number,hs_amount_billed", "csv_excel")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "Invoice number,Total,Currency",
        f"{nok_invoice.number},1000.50,NOK",
    ]


def test_csv_for_excel_keeps_formulas_neutralised(editor_user, system):  # SPEC INV-26
    editor_user.locale = "nb-NO"
    editor_user.save(update_fields=["locale"])
    crm.create_contact(actor=system, firstname="Eve", lastname="=HYPERLINK(1)", email="e@y.io")
    export = run(editor_user, "cols=lastname,email", file_format="csv_excel")
    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    assert text.splitlines()[1] == "'=HYPERLINK(1);e@y.io"


def test_plain_csv_stays_plain_beside_the_currency_column(editor_user, nok_invoice):  # SPEC INV-26
    editor_user.locale = "nb-NO"  # plain CSV is for programs: the person's locale does not count
    editor_user.save(update_fields=["locale"])
    data = export_invoices(editor_user, "cols=hs_number,hs_amount_billed", "csv")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8").splitlines() == [
        "Invoice number,Total,Currency",
        f"{nok_invoice.number},1000.5,NOK",
    ]


def test_xlsx_has_the_currency_column_too(editor_user, nok_invoice):  # SPEC INV-26
    data = export_invoices(editor_user, "cols=hs_number,hs_amount_billed,hs_tax", "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Invoice number", "Total", "Currency", "Taxes")
    assert rows[1] == (nok_invoice.number, 1000.5, "NOK", 0)


def test_the_currency_column_is_not_repeated_nor_added_without_amounts(
    editor_user, nok_invoice
):  # SPEC INV-26
    chosen = export_invoices(editor_user, "cols=hs_currency,hs_number,hs_amount_billed", "csv")
    assert chosen.decode().splitlines()[0] == "Currency,Invoice number,Total"
    no_money = export_invoices(editor_user, "cols=hs_number,hs_due_date", "csv")
    assert no_money.decode().splitlines()[0] == "Invoice number,Due date"


def test_the_export_dialog_offers_csv_for_excel_with_a_hint(
    client, editor_user, nok_invoice
):  # SPEC INV-26
    editor_user.locale = "nb-NO"
    editor_user.save(update_fields=["locale"])
    client.force_login(editor_user)
    page = client.get("/invoices/export/?cols=hs_number,hs_amount_billed").content.decode()
    assert 'value="csv_excel"' in page
    assert "CSV for Excel" in page
    assert "“;” between columns and “,” before decimals, as Norwegian Bokmål (Norway)" in page
    assert "Columns, in this order: Invoice number, Total, Currency." in page


def test_running_an_export_twice_writes_it_once(editor_user, people):
    export = run(editor_user, COLUMNS)
    name = export.file.name
    assert services.run_export(export.pk) == ExportStatus.DONE
    export.refresh_from_db()
    assert export.file.name == name


def test_a_failed_export_says_so(editor_user, people):
    export = services.start_export(
        state_for("contacts"), actor=Actor.for_user(editor_user), file_format="csv"
    )
    Export.objects.filter(pk=export.pk).update(
        params={"filters": [[{"property": "email", "operator": "gt", "values": ["1"]}]]}
    )
    assert services.run_export(export.pk) == ExportStatus.FAILED
    export.refresh_from_db()
    assert export.message.startswith("The export failed because of")
    assert export.finished_at is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"file_format": "pdf"}, r"Pick CSV, CSV for Excel or Excel \(XLSX\)"),
        ({"file_format": "csv", "ids": []}, "No rows are ticked"),
        ({"file_format": "csv", "ids": list(range(1, 1002))}, "At most 1000 ticked rows"),
    ],
)
def test_exports_that_cannot_start_are_refused(editor_user, kwargs, message):
    with pytest.raises(RuleViolation, match=message):
        services.start_export(state_for("contacts"), actor=Actor.for_user(editor_user), **kwargs)
    assert not Export.objects.exists()


def test_export_page_shows_progress_then_download_for_its_owner_only(
    client, editor_user, viewer_user, people, django_capture_on_commit_callbacks
):  # SPEC INV-26
    client.force_login(viewer_user)  # reading is allowed, so is exporting what one reads
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/contacts/export/", {"cols": COLUMNS, "rows": "all", "format": "csv"}
        )
    export = Export.objects.get()
    assert response["Location"] == f"/exports/{export.pk}/"
    assert export.owner == viewer_user
    page = client.get(f"/exports/{export.pk}/").content.decode()
    assert "Ready: 3 rows exported." in page
    assert 'hx-trigger="every 1s"' not in page  # finished: no more polling
    download = client.get(f"/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="contacts-')
    assert b"Record ID,Last name,Email,Create date" in b"".join(download.streaming_content)

    client.force_login(editor_user)
    assert client.get(f"/exports/{export.pk}/").status_code == 404
    assert client.get(f"/exports/{export.pk}/download/").status_code == 404


def test_an_unfinished_export_keeps_polling(client, editor_user, people):  # SPEC INV-26
    export = services.start_export(
        state_for("contacts"), actor=Actor.for_user(editor_user), file_format="csv"
    )
    client.force_login(editor_user)
    page = client.get(f"/exports/{export.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "Waiting for a worker" in page
    assert client.get(f"/exports/{export.pk}/download/").status_code == 404
    partial = client.get(f"/exports/{export.pk}/", headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="export-progress"')


def test_export_dialog_offers_the_ticked_rows(client, editor_user, people):  # SPEC INV-26
    client.force_login(editor_user)
    page = client.get(
        f"/contacts/export/?ids={people[0].pk}&ids={people[1].pk}",
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "All 3 rows of this view" in page
    assert "Only the 2 ticked rows" in page
    assert 'value="ticked" id="rows-ticked" checked' in page


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_a_queued_export(settings, editor_user, people):  # SPEC INV-26
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    export = services.start_export(
        state_for("contacts", f"cols={COLUMNS}"),
        actor=Actor.for_user(editor_user),
        file_format="csv",
    )
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [export.pk]
    export.refresh_from_db()
    assert export.status == ExportStatus.QUEUED

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert len(read_csv(export)) == 4
    assert DBTaskResult.objects.get().return_value == ExportStatus.DONE


def test_an_export_left_running_by_a_killed_worker_is_written_by_the_task_run_again(
    admin_user, people
):
    export = services.start_export(
        state_for("contacts", ""), actor=Actor.for_user(admin_user), file_format="csv"
    )
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, rows_done=2)

    # A second task for it while it runs elsewhere leaves it alone …
    assert services.run_export(export.pk) == ExportStatus.RUNNING
    # … but the same task row run again after its worker died writes it from the start.
    assert services.run_export(export.pk, retaking=True) == ExportStatus.DONE
    export.refresh_from_db()
    assert export.rows_done == len(people)
    assert len(read_csv(export)) == len(people) + 1


# --- bad input stored before it was refused (issue 13) ---------------------------------------

SEPARATOR_ATTACKS = ["x;=1+1", "x,=1+1", "x\t=1+1", 'x; "=1+1', "x, -2+3", "a;b,@SUM(A1)"]


@pytest.mark.parametrize("text", SEPARATOR_ATTACKS)
def test_no_cell_starts_a_formula_however_a_spreadsheet_splits_the_line(text):  # SPEC INV-26
    written = exports.neutralised(text)
    for separator in exports.SEPARATORS:
        for part in written.split(separator):
            assert not part.lstrip(' "').startswith(exports.FORMULA_STARTS), (separator, written)


@pytest.mark.parametrize("style", ["csv", "csv_excel"])
@pytest.mark.parametrize("locale", ["nb-NO", "en-US"])
def test_a_formula_after_a_separator_is_neutralised_in_every_csv_offered(
    editor_user, system, style, locale
):  # SPEC INV-26
    # Nordic Excel splits at ";" whatever the file's separator: "x;=1+1" must not give it "=1+1".
    editor_user.locale = locale
    editor_user.save(update_fields=["locale"])
    crm.create_contact(actor=system, firstname="Eve", lastname="x;=1+1", email="e@y.io")
    export = run(editor_user, "cols=lastname,email", file_format=style)
    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    own = ";" if style == "csv_excel" and locale == "nb-NO" else ","
    # Read with the file's own separator, the cell is one cell, as typed but for the quote.
    assert list(csv.reader(io.StringIO(text), delimiter=own))[1] == ["x;'=1+1", "e@y.io"]
    # Read with any separator a spreadsheet may use, no cell starts a formula.
    for separator in exports.SEPARATORS:
        for row in csv.reader(io.StringIO(text), delimiter=separator):
            for cell in row:
                assert not cell.lstrip(' "').startswith(("=", "+", "@")), (separator, cell)


def test_control_characters_stored_earlier_do_not_break_exports(editor_user, people):
    # Stored before input refused them: openpyxl raised IllegalCharacterError on each.
    Contact = type(people[0])
    Contact.objects.filter(pk=people[0].pk).update(last_name="Love\x0blace\x01\x1b")
    for file_format in ("xlsx", "csv", "csv_excel"):
        export = run(editor_user, f"cols={COLUMNS}", file_format=file_format)
        assert export.status == ExportStatus.DONE, export.message
        with export.file.open("rb") as handle:
            data = handle.read()
        if file_format == "xlsx":
            cells = [c for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
                     for c in row]  # fmt: skip
        else:
            cells = [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]
        assert "Lovelace" in cells
