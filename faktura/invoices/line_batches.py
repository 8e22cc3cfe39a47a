"""Many line items in one call (the API's line_items batch/create): every input is checked first,
and a batch with a refused input writes nothing; then each record the lines go to gets them in
one edit (one lock, one recalculation, one history entry, one PDF render), so a batch costs time
linear in its size. Here because only this app knows both tables of line items (ADR 0006)."""

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from faktura.accounts.services import get_account_settings
from faktura.core.actors import Actor
from faktura.core.errors import BatchRefused, RuleViolation
from faktura.core.record_services import Associated, Values
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice
from faktura.sales import services as sales
from faktura.sales.lines import MAX_LINES, LineInput, clean_line, named_products
from faktura.sales.models import Deal, Quote
from faktura.sales.record_services import line_values

Parent = Invoice | Deal | Quote | None


def _parent(associated: Associated) -> Parent:
    records = [record for others in associated.values() for record in others]
    if len(records) > 1:
        raise RuleViolation(_("A line item belongs to one record: associate it with one."))
    if records and not isinstance(records[0], Invoice | Deal | Quote):
        raise RuleViolation(_("A line item belongs to an invoice, a deal or a quote."))
    return records[0] if records else None


def _key(parent: Parent) -> tuple[str, Any]:
    return (type(parent).__name__, parent.pk if parent is not None else None)


def create_line_items(
    items: Sequence[tuple[Values, Associated]], /, *, actor: Actor
) -> list[models.Model]:
    """The line items, in the order given, each on the record it is associated with (or on none,
    waiting to be associated); all or none (BatchRefused names each refused input)."""
    refused: dict[int, RuleViolation] = {}
    groups: dict[tuple[str, Any], tuple[Parent, list[tuple[int, LineInput]]]] = {}
    raw = [line_values(values) for values, _associated in items]
    products = named_products(raw)
    default_currency = get_account_settings().default_currency
    for index, ((_values, associated), line) in enumerate(zip(items, raw, strict=True)):
        try:
            parent = _parent(associated)
            currency = parent.currency if parent is not None else default_currency
            cleaned = clean_line(line, currency, index + 1, products)
        except RuleViolation as refusal:
            refused[index] = refusal
            continue
        groups.setdefault(_key(parent), (parent, []))[1].append((index, cleaned))
    if refused:
        raise BatchRefused(refused, len(items))
    created: dict[int, models.Model] = {}
    with transaction.atomic():
        for parent, lines in groups.values():
            for index, record in zip(
                (index for index, _line in lines),
                _add(parent, [line for _index, line in lines], actor=actor),
                strict=True,
            ):
                created[index] = record
    return [created[index] for index in range(len(items))]


def _add(parent: Parent, lines: list[LineInput], *, actor: Actor) -> list[models.Model]:
    """Past MAX_LINES on the record, the record's own edit refuses the lines (too_many_lines)."""
    if isinstance(parent, Invoice):
        return list(invoices.add_invoice_lines(parent, lines, actor=actor))
    if parent is not None:
        return list(sales.add_line_items(parent, lines, actor=actor))
    return [sales.create_line_item(actor=actor, values=line.as_fields()) for line in lines]
