"""The quick search: the records that typed text finds, as each type's `QuickSearch` declares.

Associated records are matched with `id IN (subquery)` rather than joins: a join would repeat a
record once per matching contact, which breaks keyset paging and counts, and DISTINCT would
slow every page down. The subquery does not refer to the outer row, so the database runs it
once, where a correlated EXISTS ran once per record (three times slower over 100,000 invoices
in bench/index_page.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext

from faktura.core.errors import RuleViolation
from faktura.core.locales import DEFAULT_LOCALE, read_amount
from faktura.core.properties import ObjectType, object_type_for
from faktura.listings.defaults import defaults_for

# The longest search text read (index pages, the API's `query`): every word of a longer one
# would add to one SQL expression, past SQLite's depth of 1,000 (a 50,000-character search).
MAX_SEARCH = 200


def search_length_problem(text: str) -> str | None:
    """Why the search text is too long, or None."""
    if len(text) <= MAX_SEARCH:
        return None
    return gettext(
        "The search is %(length)s characters long; search with at most %(most)d (a name, an "
        "email address or a number)."
    ) % {"length": f"{len(text):,}", "most": MAX_SEARCH}


def text_search_q(object_type: ObjectType, text: str, *, locale: str = DEFAULT_LOCALE) -> Q:
    """Free text (index pages' quick search, the API's `query`): one of the type's search
    properties contains it, an associated record's does, it is the amount of one of its money
    properties (read in `locale`), or it is the record's id. Empty when nothing can match."""
    text = text.strip()
    declared = defaults_for(object_type).search
    query = _own_q(object_type, text)
    for relation in declared.related:
        query |= _related_q(object_type.model, relation, text)
    if declared.amounts and (amount := _amount(text, locale)) is not None:
        for name in declared.amounts:
            query |= Q(**{_field(object_type, name): amount})
    if is_record_id(text):
        query |= Q(pk=int(text))
    return query


def is_record_id(text: str) -> bool:
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return text.isascii() and text.isdigit() and len(text) < 18


def _own_q(object_type: ObjectType, text: str) -> Q:
    """The text in the type's own text properties, or every word of it in the full name."""
    declared = defaults_for(object_type).search
    query = Q()
    if not text:
        return query
    for name in declared.text:
        query |= Q(**{f"{_field(object_type, name)}__icontains": text})
    words = text.split()
    if declared.full_name and len(words) > 1:
        first, last = (_field(object_type, name) for name in declared.full_name)
        every_word = Q()
        for word in words:
            every_word &= Q(**{f"{first}__icontains": word}) | Q(**{f"{last}__icontains": word})
        query |= every_word
    return query


def _related_q(model: type[models.Model], relation: str, text: str) -> Q:
    """Records with an associated record (through `relation`) that the text finds."""
    field = model._meta.get_field(relation)
    related = field.related_model
    assert isinstance(related, type), f"{model.__name__}.{relation} leads to no model"
    found = _own_q(object_type_for(related), text)
    if not found:
        return Q()
    matches = related._default_manager.filter(found)
    if isinstance(field, models.ForeignKey):  # the one record it points at
        return Q(**{f"{field.attname}__in": matches.values("pk")})
    if isinstance(field, models.ManyToManyField):  # the ids on the other side of the links
        back = field.related_query_name()
        return Q(pk__in=matches.filter(**{f"{back}__isnull": False}).values(back))
    raise LookupError(
        f"{model.__name__}.{relation} is searched but is neither a foreign key nor a "
        "many-to-many field."
    )


def _amount(text: str, locale: str) -> Decimal | None:
    try:
        return read_amount(text, locale, field="The search")
    except RuleViolation:
        return None  # not an amount: searched as text only


def _field(object_type: ObjectType, name: str) -> str:
    prop = object_type.property(name)
    assert prop.field is not None, f"{object_type.name}.{name} is searched but has no field"
    return prop.field
