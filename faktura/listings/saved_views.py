"""The saved views a user can see, and the index-page state a view holds."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Q, QuerySet, When
from django.http import Http404

from faktura.core.actors import Actor
from faktura.core.properties import ObjectType
from faktura.listings import filters as flt
from faktura.listings import rules
from faktura.listings.models import SavedView
from faktura.listings.state import (
    ListingState,
    default_columns,
    default_sort,
    parse_columns,
    parse_sort,
)


def visible_views(user: Any, object_type: ObjectType) -> QuerySet[SavedView]:
    """The user's own views first, then the ones others shared with the team."""
    return (
        SavedView.objects.filter(object_type=object_type.name)
        .filter(Q(owner=user) | Q(shared=True))
        .select_related("owner")
        .order_by(Case(When(owner=user, then=0), default=1), "name", "id")
    )


def get_view_for(actor: Actor, object_type: ObjectType, pk: Any) -> SavedView:
    """The view, or 404 when it does not exist or is someone else's private view."""
    try:
        view = SavedView.objects.select_related("owner").get(
            pk=int(pk), object_type=object_type.name
        )
    except (SavedView.DoesNotExist, ValueError, TypeError):
        raise Http404("No such view.") from None
    if not rules.can_see_view(view, actor):
        raise Http404("No such view.")
    return view


def view_state(view: SavedView, object_type: ObjectType) -> ListingState:
    notices: list[str] = []
    filters = flt.from_json(object_type, view.filters)
    columns = (
        parse_columns(object_type, ",".join(view.columns), notices)
        if view.columns
        else default_columns(object_type)
    )
    sort = parse_sort(object_type, view.sort, notices) if view.sort else default_sort(object_type)
    return ListingState(
        object_type,
        filters=filters,
        columns=columns,
        sort=sort,
        view_id=view.pk,
        notices=tuple(f"View '{view.name}': {notice}" for notice in notices),
    )


def stored(state: ListingState) -> dict[str, Any]:
    """The parts of a state a view keeps."""
    return {
        "filters": state.filters.to_json(),
        "columns": [p.name for p in state.columns],
        "sort": state.sort.param if state.sort else "",
    }
