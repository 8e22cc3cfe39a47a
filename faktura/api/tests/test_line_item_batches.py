"""Issue 13, item 2: a batch of line items for one invoice is all or nothing, one edit of the
invoice (one lock, one recalculation, one history entry, one PDF render), and its cost does not
grow per line with the invoice: the queries it makes are the same for 10 lines and for 500."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faktura.history.models import Entry
from faktura.invoices.models import Invoice, InvoiceLine
from faktura.sales.models import LineItem

V3 = "/crm/v3/objects"
TO_INVOICE = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 410}]


def lines_for(invoice: Invoice, count: int, *, start: int = 0) -> list[dict]:
    return [
        {
            "properties": {"name": f"Line {n}", "price": "1.50", "quantity": "2"},
            "associations": [{"to": {"id": str(invoice.pk)}, "types": TO_INVOICE}],
            "objectWriteTraceId": f"t{n}",
        }
        for n in range(start, start + count)
    ]


def batch(api, inputs: list[dict]):
    return api.post(f"{V3}/line_items/batch/create", {"inputs": inputs})


def test_a_500_line_batch_lands_on_the_invoice_in_order_with_its_totals(api, draft_invoice):
    before = draft_invoice.lines.count()
    response = batch(api, lines_for(draft_invoice, 499))
    assert response.status_code == 201, response.content
    results = response.json()["results"]
    assert [r["properties"]["name"] for r in results] == [f"Line {n}" for n in range(499)]
    draft_invoice.refresh_from_db()
    assert draft_invoice.lines.count() == before + 499
    assert [str(pk) for pk in draft_invoice.lines.values_list("pk", flat=True)][before:] == [
        r["id"] for r in results
    ]
    assert draft_invoice.total == Decimal("250.00") + 499 * Decimal("3.00")
    assert not LineItem.objects.exists()  # made as the invoice's own lines, not moved there


def test_one_bad_input_among_500_writes_nothing_and_names_the_input(api, draft_invoice):
    inputs = lines_for(draft_invoice, 499)
    inputs[321]["properties"]["quantity"] = "-1"
    lines, entries = InvoiceLine.objects.count(), Entry.objects.count()
    response = batch(api, inputs)
    assert response.status_code == 400
    body = response.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert "1 of 499 inputs were refused, so none was written" in body["message"]
    [error] = body["errors"]
    assert error["context"] == {"inputIndex": ["321"], "objectWriteTraceId": ["t321"]}
    assert "quantity must be more than zero" in error["message"]
    assert InvoiceLine.objects.count() == lines
    assert Entry.objects.count() == entries


def test_a_batch_past_the_invoices_500_lines_writes_nothing(api, draft_invoice):
    assert batch(api, lines_for(draft_invoice, 499)).status_code == 201
    response = batch(api, lines_for(draft_invoice, 2, start=499))
    assert response.status_code == 400
    assert "at most 500 lines; this one would have 502" in response.json()["message"]
    assert draft_invoice.lines.count() == 500


def test_an_unknown_invoice_refuses_the_batch_naming_each_input(api, draft_invoice):
    inputs = lines_for(draft_invoice, 3)
    inputs[1]["associations"][0]["to"]["id"] = "999999"
    response = batch(api, inputs)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["context"]["inputIndex"] == ["1"]
    assert draft_invoice.lines.count() == 1


def test_the_batch_is_one_edit_in_the_invoices_history(api, draft_invoice):
    entries = Entry.objects.filter(object_type="invoice", object_id=draft_invoice.pk)
    newest = entries.order_by("pk").last()
    assert newest is not None
    last = newest.pk
    assert batch(api, lines_for(draft_invoice, 50)).status_code == 201
    written = entries.filter(pk__gt=last)
    # One entry per property the batch changed: the lines and the totals, each once.
    changed = list(written.values_list("property", flat=True))
    assert sorted(changed) == sorted(set(changed))
    assert {"hs_line_items", "hs_subtotal", "hs_amount_billed"} <= set(changed)
    [lines] = written.filter(property="hs_line_items")
    assert (lines.new_value or "").count(";") == 50


def test_queries_stay_the_same_for_10_and_for_500_lines(api, make_invoice):
    """Linear time: no query per line, none that repeats as the invoice grows."""

    def queries(count: int) -> int:
        invoice = make_invoice()
        inputs = lines_for(invoice, count)
        with CaptureQueriesContext(connection) as captured:
            assert batch(api, inputs).status_code == 201
        return len(captured)

    few, many = queries(10), queries(499)
    assert many <= few + 2, (few, many)  # bulk writes may split in two on a small SQLite


def test_a_finalized_invoice_gets_one_pdf_render_for_the_whole_batch(
    api, open_invoice, account, django_capture_on_commit_callbacks
):
    account(allow_editing_finalized_invoices=True)
    with django_capture_on_commit_callbacks() as callbacks:
        assert batch(api, lines_for(open_invoice, 100)).status_code == 201
    open_invoice.refresh_from_db()
    assert open_invoice.total == Decimal("250.00") + 100 * Decimal("3.00")
    assert len(callbacks) <= 2, callbacks


@pytest.mark.parametrize("parent", ["deal", "quote"])
def test_deals_and_quotes_take_a_batch_in_one_write_too(api, parent):
    name = "dealname" if parent == "deal" else "hs_title"
    record = api.post(f"{V3}/{parent}s", {"properties": {name: "Big"}}).json()
    type_id = 20 if parent == "deal" else 68
    to = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]
    inputs = [
        {
            "properties": {"name": f"Line {n}", "price": "2", "quantity": "1"},
            "associations": [{"to": {"id": record["id"]}, "types": to}],
        }
        for n in range(300)
    ]
    response = batch(api, inputs)
    assert response.status_code == 201, response.content
    assert LineItem.objects.filter(**{f"{parent}_id": record["id"]}).count() == 300


def test_batch_update_and_archive_of_an_invoices_lines_are_one_edit_each(api, draft_invoice):
    ids = [r["id"] for r in batch(api, lines_for(draft_invoice, 499)).json()["results"]]
    changes = [{"id": pk, "properties": {"quantity": "3"}} for pk in ids[:300]]
    updated = api.post(f"{V3}/line_items/batch/update", {"inputs": changes})
    assert updated.status_code == 200, updated.content
    assert {r["properties"]["quantity"] for r in updated.json()["results"]} == {"3"}
    draft_invoice.refresh_from_db()
    assert draft_invoice.total == Decimal("250.00") + 300 * Decimal("4.50") + 199 * Decimal("3")

    archived = api.post(f"{V3}/line_items/batch/archive", {"inputs": [{"id": pk} for pk in ids]})
    assert archived.status_code == 204
    draft_invoice.refresh_from_db()
    assert draft_invoice.lines.count() == 1
    assert draft_invoice.total == Decimal("250.00")


def test_a_batch_update_with_one_bad_input_changes_nothing(api, draft_invoice):
    ids = [r["id"] for r in batch(api, lines_for(draft_invoice, 5)).json()["results"]]
    changes = [{"id": pk, "properties": {"quantity": "3"}} for pk in ids]
    changes[2]["properties"]["price"] = "-5"
    response = api.post(f"{V3}/line_items/batch/update", {"inputs": changes})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["context"]["inputIndex"] == ["2"]
    assert "unit price cannot be negative" in error["message"]
    assert not draft_invoice.lines.filter(quantity=3).exists()


def test_update_and_archive_batches_make_the_same_queries_for_10_and_for_300_lines(
    api, make_invoice
):
    def queries(count: int) -> tuple[int, int]:
        invoice = make_invoice()
        ids = [r["id"] for r in batch(api, lines_for(invoice, count)).json()["results"]]
        changes = [{"id": pk, "properties": {"quantity": "3"}} for pk in ids]
        with CaptureQueriesContext(connection) as update:
            assert api.post(f"{V3}/line_items/batch/update", {"inputs": changes}).status_code == 200
        gone = [{"id": pk} for pk in ids]
        with CaptureQueriesContext(connection) as archive:
            assert api.post(f"{V3}/line_items/batch/archive", {"inputs": gone}).status_code == 204
        return len(update), len(archive)

    few, many = queries(10), queries(300)
    assert many[0] <= few[0] + 2, (few, many)
    assert many[1] <= few[1] + 2, (few, many)
