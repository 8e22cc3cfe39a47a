"""A listing state from a query string, and the ids it lists, for the index-page tests."""

from typing import Any

from django.http import QueryDict

from faktura.core.properties import object_types
from faktura.listings import queries
from faktura.listings.state import ListingState, state_from_query


def state_for(type_name: str, query: str = "", **params: Any) -> ListingState:
    data = QueryDict(query, mutable=True)
    for key, value in params.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return state_from_query(object_types.get(type_name), data)


def listed(type_name: str, *filters: str, **params: Any) -> list[int]:
    """The ids of every record the filters select, in the page's order."""
    if filters:
        params["f"] = list(filters)
    state = state_for(type_name, **params)
    assert not state.filters.errors, state.filters.errors
    return list(queries.ordered(state).values_list("pk", flat=True))
