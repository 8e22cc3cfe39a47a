"""What an index page shows, as it lives in the URL: filters, search, columns, sort, page.

Everything is in the query string so a page can be bookmarked and shared; a saved view
stores the same filters, columns and sort.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext

from faktura.core.locales import DEFAULT_LOCALE
from faktura.core.properties import ObjectType, Property
from faktura.listings import filters as flt
from faktura.listings.defaults import defaults_for
from faktura.listings.quick_search import MAX_SEARCH, search_length_problem

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Sort:
    prop: Property
    descending: bool = False

    @property
    def param(self) -> str:
        return f"-{self.prop.name}" if self.descending else self.prop.name


@dataclass(frozen=True)
class ListingState:
    object_type: ObjectType
    filters: flt.Filters = field(default_factory=flt.Filters)
    search: str = ""
    columns: tuple[Property, ...] = ()
    sort: Sort | None = None
    view_id: int | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    after: str = ""  # cursors: the page after / before this row
    before: str = ""
    # Parts of the URL that could not be used, as sentences for the user.
    notices: tuple[str, ...] = field(default=())
    # The locale of the person looking (not in the URL): how they type amounts in the search.
    locale: str = DEFAULT_LOCALE

    @property
    def path(self) -> str:
        return defaults_for(self.object_type).path

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query parameters that describe this state (page cursors left out unless given)."""
        state = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = []
        if state.view_id:
            pairs.append(("view", str(state.view_id)))
        pairs += [("f", f) for f in state.filters.to_query()]
        if state.search:
            pairs.append(("q", state.search))
        if state.columns and (state.view_id or not state.has_default_columns):
            pairs.append(("cols", ",".join(p.name for p in state.columns)))
        if state.sort and (state.view_id or state.sort != default_sort(state.object_type)):
            pairs.append(("sort", state.sort.param))
        if state.page_size != DEFAULT_PAGE_SIZE:
            pairs.append(("size", str(state.page_size)))
        if state.after:
            pairs.append(("after", state.after))
        if state.before:
            pairs.append(("before", state.before))
        return pairs

    def url(self, **changes: Any) -> str:
        """This page's address with some parts changed; paging starts again unless given."""
        changes.setdefault("after", "")
        changes.setdefault("before", "")
        query = urlencode(self.params(**changes))
        return f"/{self.path}/" + (f"?{query}" if query else "")

    @property
    def has_default_columns(self) -> bool:
        return tuple(p.name for p in self.columns) == defaults_for(self.object_type).columns

    def sort_url(self, prop: Property) -> str:
        """Clicking a header sorts by it; clicking the sorted header again turns it round."""
        descending = not self.sort.descending if self.sort and self.sort.prop == prop else False
        return self.url(sort=Sort(prop, descending))

    def same_content(self, other: ListingState) -> bool:
        return (
            self.filters.to_query() == other.filters.to_query()
            and self.columns == other.columns
            and self.sort == other.sort
        )


def default_columns(object_type: ObjectType) -> tuple[Property, ...]:
    declared = defaults_for(object_type).columns
    return tuple(object_type.property(name) for name in declared)


def default_sort(object_type: ObjectType) -> Sort | None:
    declared = defaults_for(object_type).sort
    if declared:
        return Sort(object_type.property(declared.lstrip("-")), declared.startswith("-"))
    return None


def parse_columns(object_type: ObjectType, text: str, notices: list[str]) -> tuple[Property, ...]:
    chosen: list[Property] = []
    for name in (part.strip() for part in text.split(",")):
        if not name:
            continue
        prop = next((p for p in object_type.properties if p.name == name), None)
        if prop is None:
            notices.append(f"The column '{name}' does not exist any more and was left out.")
        elif prop not in chosen:
            chosen.append(prop)
    return tuple(chosen) or default_columns(object_type)


def parse_sort(object_type: ObjectType, text: str, notices: list[str]) -> Sort | None:
    name = text.strip().lstrip("-")
    prop = next((p for p in object_type.properties if p.name == name), None)
    if prop is None or not prop.queryable:
        notices.append(f"The list cannot be sorted by '{name}'; it is sorted as usual instead.")
        return default_sort(object_type)
    return Sort(prop, text.strip().startswith("-"))


def parse_page_size(text: str) -> int:
    try:
        size = int(text)
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return min(max(size, 1), MAX_PAGE_SIZE)


def has_content_params(query: Mapping[str, Any]) -> bool:
    """Whether the URL says what to show, rather than leaving it to the chosen view."""
    return any(key in query for key in ("f", "cols", "col", "sort", "q")) or flt.is_row_data(query)


def state_from_query(
    object_type: ObjectType,
    query: Any,
    *,
    saved: ListingState | None = None,
    locale: str = DEFAULT_LOCALE,
) -> ListingState:
    """The state a request asks for, for a person in `locale`. `saved` is the chosen view's
    state: it applies when the URL carries no filters, columns, sort or search of its own."""
    notices: list[str] = []
    view_id = saved.view_id if saved else None
    if saved is not None and not has_content_params(query):
        base = saved
    else:
        if flt.is_row_data(query):
            filters = flt.from_rows(object_type, query)
        else:
            filters = flt.from_query(object_type, query.getlist("f"))
        base = ListingState(
            object_type,
            filters=filters,
            search=_search(query.get("q", ""), notices),
            columns=(
                parse_columns(object_type, cols, notices)
                if (cols := _columns_param(query))
                else default_columns(object_type)
            ),
            sort=(
                parse_sort(object_type, query["sort"], notices)
                if query.get("sort")
                else default_sort(object_type)
            ),
            view_id=view_id,
        )
    return replace(
        base,
        page_size=parse_page_size(query.get("size", "")),
        after=query.get("after", "")[:500],
        before=query.get("before", "")[:500] if not query.get("after") else "",
        notices=(*base.notices, *notices),
        locale=locale,
    )


def _search(text: str, notices: list[str]) -> str:
    """The quick search's text, cut to what is searched (with a notice saying so)."""
    text = text.strip()
    if problem := search_length_problem(text):
        searched = gettext("Only its first %(most)d characters were searched.")
        notices.append(f"{problem} {searched % {'most': MAX_SEARCH}}")
    return text[:MAX_SEARCH]


def _columns_param(query: Any) -> str:
    # The edit-columns dialog submits one `col` per ticked column, in the chosen order.
    if picked := query.getlist("col"):
        return ",".join(picked)
    return str(query.get("cols", ""))
