"""Keyset paging: every record exactly once, forward and back, with ties and empty values;
invoice numbers in the order of their sequence."""

import datetime as dt
import re
from dataclasses import replace

import pytest

from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice
from faktura.listings import queries
from faktura.listings.tests.querying import state_for
from faktura.sales import services as sales
from faktura.sales.models import Deal

pytestmark = pytest.mark.django_db

DATES = [dt.date(2026, 1, 5), dt.date(2026, 2, 1), None, dt.date(2026, 1, 5), None]
NAMES = ["Alpha", "Beta", "Alpha", "Gamma", "Beta", "Alpha"]


@pytest.fixture
def deals(system):
    # 17 deals: close dates repeat and five have none; names repeat too.
    for number in range(17):
        close = DATES[number % len(DATES)]
        sales.create_deal(
            actor=system,
            dealname=NAMES[number % len(NAMES)],
            closedate=close.isoformat() if close else "",
        )
    return list(Deal.objects.all())


def expected(records, attr, descending):
    """The order the page promises: by value then id, empty values last either way."""
    filled = [r for r in records if getattr(r, attr) is not None]
    empty = [r for r in records if getattr(r, attr) is None]
    filled.sort(key=lambda r: (getattr(r, attr), r.pk), reverse=descending)
    empty.sort(key=lambda r: r.pk, reverse=descending)
    return [r.pk for r in filled + empty]


def walk_forward(state):
    pages = []
    while True:
        page = queries.page(state)
        pages.append([r.pk for r in page.rows])
        if not page.next_cursor:
            return pages, state
        state = replace(state, after=page.next_cursor, before="")


def walk_back(state):
    pages: list[list[int]] = []
    while True:
        page = queries.page(state)
        pages.insert(0, [r.pk for r in page.rows])
        if not page.previous_cursor:
            return pages
        state = replace(state, before=page.previous_cursor, after="")


@pytest.mark.parametrize(
    ("sort", "attr"),
    [
        ("closedate", "close_date"),
        ("-closedate", "close_date"),
        ("dealname", "name"),
        ("-dealname", "name"),
        ("hs_object_id", "pk"),
        ("-hs_object_id", "pk"),
    ],
)
@pytest.mark.parametrize("size", [1, 4, 5, 17, 50])
def test_every_record_once_in_both_directions(deals, sort, attr, size):  # SPEC INV-24
    state = state_for("deals", sort=sort, size=str(size))
    order = expected(deals, attr, sort.startswith("-"))

    forward, last = walk_forward(state)
    assert [pk for page in forward for pk in page] == order
    assert all(len(page) == size for page in forward[:-1])

    backward = walk_back(last)
    assert backward == forward


def test_first_page_has_no_previous_link_and_last_has_no_next(deals):  # SPEC INV-24
    state = state_for("deals", sort="closedate", size="10")
    first = queries.page(state)
    assert first.previous_cursor == ""
    second = queries.page(replace(state, after=first.next_cursor))
    assert len(second.rows) == 7
    assert second.next_cursor == ""
    assert second.previous_cursor


def test_paging_follows_the_filters(deals):  # SPEC INV-24
    state = state_for("deals", f=["0:closedate:unknown"], sort="-closedate", size="2")
    pages, _ = walk_forward(state)
    found = [pk for page in pages for pk in page]
    assert found == sorted((d.pk for d in deals if d.close_date is None), reverse=True)


def test_a_damaged_page_link_shows_the_first_page_with_a_notice(
    client, viewer_user, deals
):  # SPEC INV-24
    client.force_login(viewer_user)
    response = client.get("/deals/?sort=closedate&size=3&after=not-a-cursor")
    assert response.status_code == 200
    assert "The page link is damaged. Showing the first page instead." in response.content.decode()

    state = state_for("deals", sort="closedate", size="3")
    cursor = queries.page(state).next_cursor
    response = client.get(f"/deals/?sort=dealname&size=3&after={cursor}")
    assert "belongs to another sort order" in response.content.decode()


def test_counting_stops_at_the_limit(monkeypatch, client, viewer_user, deals):
    monkeypatch.setattr(queries, "COUNT_LIMIT", 5)
    assert queries.count(state_for("deals")) == (5, True)
    assert queries.count(state_for("deals", f=["0:closedate:is:2026-02-01"])) == (4, False)
    client.force_login(viewer_user)
    assert "5+ deals" in client.get("/deals/").content.decode()


def test_a_column_worked_out_in_python_is_not_sortable(client, viewer_user, deals):
    state = state_for("quotes", sort="hs_quote_amount")
    assert state.sort is not None
    assert state.sort.param == "-hs_object_id"
    assert any("cannot be sorted by 'hs_quote_amount'" in notice for notice in state.notices)
    client.force_login(viewer_user)
    page = client.get("/quotes/?cols=hs_title,hs_quote_amount").content.decode()
    assert 'title="Sort by Amount"' not in page
    assert 'title="Sort by Quote name"' in page


@pytest.fixture
def numbered(make_invoice, system):
    """Ten invoices finalized newest first (INV-1 has the highest id) between two drafts."""
    first_draft = make_invoice()
    made = [make_invoice() for _ in range(10)]
    for invoice in reversed(made):
        invoices.finalize_invoice(invoice, actor=system)
    last_draft = make_invoice()
    return [first_draft.pk, last_draft.pk]


@pytest.mark.parametrize("descending", [False, True])
def test_invoice_numbers_sort_by_their_number_with_drafts_last(numbered, descending):
    # SPEC INV-24
    # INV-10 after INV-2, not between INV-1 and INV-2 as text sorts it; page by page, both ways.
    state = state_for("invoices", sort="-hs_number" if descending else "hs_number", size="2")
    forward, last = walk_forward(state)
    numbers = [Invoice.objects.get(pk=pk).number for page in forward for pk in page]
    expected_numbers = [f"INV-{n}" for n in range(1, 11)]
    if descending:
        expected_numbers.reverse()
    assert numbers == [*expected_numbers, None, None]
    assert forward[-1] == sorted(numbered, reverse=descending)
    assert walk_back(last) == forward


def test_the_index_page_lists_invoices_by_number(client, viewer_user, numbered):  # SPEC INV-24
    client.force_login(viewer_user)
    page = client.get("/invoices/?sort=hs_number&size=3").content.decode()
    assert re.findall(r">(INV-\d+)</a>", page) == ["INV-1", "INV-2", "INV-3"]
