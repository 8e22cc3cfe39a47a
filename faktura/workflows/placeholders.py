"""`{{ property_name }}` in an action's text, filled with the enrolled record's values as a
person reads them when the step runs (option labels, amounts with their currency, dates)."""

import re

from django.db import models

from faktura.core.errors import RuleViolation
from faktura.core.money import currency_of
from faktura.core.properties import object_type_for
from faktura.history.readable import ValueText

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def fill_placeholders(text: str, record: models.Model, *, one_line: bool = False) -> str:
    """An empty value becomes nothing; a name that is not a property of the record stays as
    written. `one_line` keeps a subject on one line."""
    object_type = object_type_for(record)
    values = ValueText(object_type, currency_of(record))

    def value(match: re.Match[str]) -> str:
        try:
            prop = object_type.property(match[1])
        except RuleViolation:
            return match[0]
        stored = prop.to_text(prop.read(record))
        shown = "" if stored is None else values.show(prop, stored)
        return " ".join(shown.split()) if one_line else shown

    return PLACEHOLDER.sub(value, text)
