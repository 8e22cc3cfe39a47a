"""Issue 13, item 9: the line editor saves up to a document's 500 lines (Django's 1,000-field
limit refused 110 with a bare "Bad Request" and the input lost), says when the limit is reached,
and a request over the field limit anywhere gets a page that says what happened."""

import pytest
from django.conf import settings

from faktura.invoices.tests.test_views_edit import form_data
from faktura.sales.lines import MAX_LINES

pytestmark = pytest.mark.django_db


def rows(count: int) -> list[dict]:
    return [{"name": f"Row {n}", "unit_price": "2"} for n in range(count)]


def test_the_editor_saves_an_invoice_with_500_lines(signed_in, editor_user, draft_invoice):
    response = signed_in(editor_user).post(
        f"/invoices/{draft_invoice.pk}/edit/", form_data(rows(MAX_LINES))
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert draft_invoice.lines.count() == MAX_LINES
    draft_invoice.refresh_from_db()
    assert draft_invoice.total == 2 * MAX_LINES


def test_the_501st_line_is_refused_beside_a_full_editor_with_the_input_kept(
    signed_in, editor_user, draft_invoice
):
    response = signed_in(editor_user).post(
        f"/invoices/{draft_invoice.pk}/edit/", form_data(rows(MAX_LINES + 1))
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most 500 lines; this one would have 501" in html
    assert 'value="Row 500"' in html  # what was typed is still in the form
    assert draft_invoice.lines.count() == 1
    # The editor is full: "Add line" is off, and it says why.
    assert "data-add-line disabled" in html
    assert "A document holds at most 500 lines" in html
    assert "data-lines-limit hidden" not in html


def test_a_full_editor_fits_under_the_field_limit():
    # Every field a row may post (the remove box included), 500 rows and the empty one, and
    # room for the form's own fields.
    per_row = len(form_data(rows(1))) - len(form_data([])) + 1
    assert (MAX_LINES + 1) * per_row + 100 <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


def test_a_request_over_the_field_limit_gets_a_page_that_says_nothing_was_saved(
    signed_in, editor_user
):
    fields = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = signed_in(editor_user).post("/invoices/new/", fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "more fields, than a form" in html.replace("\n", " ").replace("  ", " ")
