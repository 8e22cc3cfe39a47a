"""Many line items in one call (the API's line_items batch create, update and archive): every
input is checked first, and a batch with a refused input writes nothing; then each record the
lines belong to is changed in one edit (one lock, one recalculation, one history entry, one PDF
render), so a batch costs time linear in its size. Here because only this app knows both tables
of line items (ADR 0006)."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from faktura.accounts.services import get_account_settings
from faktura.core.actors import Actor
from faktura.core.errors import BatchRefused, RuleViolation
from faktura.core.record_services import Associated, Values
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice, InvoiceLine
from faktura.sales import services as sales
from faktura.sales.lines import LineInput, clean_line, named_products
from faktura.sales.models import Deal, LineItem, Quote
from faktura.sales.record_services import line_values

Parent = Invoice | Deal | Quote | None


def _parent(associated: Associated) -> Parent:
    records = [record for others in associated.values() for record in others]
    if len(records) > 1:
        raise RuleViolation(_("A line item belongs to one record: associate it with one."))
    parent = records[0] if records else None
    if parent is None or isinstance(parent, Invoice | Deal | Quote):
        return parent
    raise RuleViolation(_("A line item belongs to an invoice, a deal or a quote."))


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


def _owners(lines: Iterable[models.Model]) -> dict[models.Model, Parent]:
    """Each line's invoice, deal or quote (or None), read in one query per kind."""
    lines = list(lines)
    invoice_ids = {line.invoice_id for line in lines if isinstance(line, InvoiceLine)}
    deal_ids = {line.deal_id for line in lines if isinstance(line, LineItem) and line.deal_id}
    quote_ids = {line.quote_id for line in lines if isinstance(line, LineItem) and line.quote_id}
    invoices_by_id = Invoice.objects.in_bulk(invoice_ids)
    deals, quotes = Deal.objects.in_bulk(deal_ids), Quote.objects.in_bulk(quote_ids)
    owners: dict[models.Model, Parent] = {}
    for line in lines:
        if isinstance(line, InvoiceLine):
            owners[line] = invoices_by_id[line.invoice_id]
        elif isinstance(line, LineItem):
            owners[line] = deals.get(line.deal_id) or quotes.get(line.quote_id)
    return owners


def update_line_items(
    items: Sequence[tuple[models.Model, Values]], /, *, actor: Actor
) -> list[models.Model]:
    """Change line items, each in place among its record's lines; all or none."""
    owners = _owners(line for line, _values in items)
    raw = [line_values(values) for _line, values in items]
    products = named_products(raw)
    default_currency = get_account_settings().default_currency
    refused: dict[int, RuleViolation] = {}
    groups: dict[tuple[str, Any], tuple[Parent, dict[int, LineInput]]] = {}
    for index, ((line, _values), values) in enumerate(zip(items, raw, strict=True)):
        parent = owners[line]
        currency = parent.currency if parent is not None else default_currency
        changed = {**LineInput.from_line(line).as_fields(), **values}  # type: ignore[arg-type]
        try:
            cleaned = clean_line(changed, currency, index + 1, products)
        except RuleViolation as refusal:
            refused[index] = refusal
            continue
        groups.setdefault(_key(parent), (parent, {}))[1][line.pk] = cleaned
    if refused:
        raise BatchRefused(refused, len(items))
    with transaction.atomic():
        for parent, changed_lines in groups.values():
            if parent is not None:
                _restate(parent, actor=actor, changed=changed_lines)
            else:
                for line, _values in items:
                    if line.pk in changed_lines:
                        values = changed_lines[line.pk].as_fields()
                        sales.update_line_item(line, actor=actor, values=values)  # type: ignore[arg-type]
    return _fresh([line for line, _values in items])


def archive_line_items(lines: Sequence[models.Model], /, *, actor: Actor) -> None:
    """Remove line items from their records, each record in one edit; all or none."""
    owners = _owners(lines)
    groups: dict[tuple[str, Any], tuple[Parent, set[int]]] = {}
    for line in lines:
        groups.setdefault(_key(owners[line]), (owners[line], set()))[1].add(line.pk)
    with transaction.atomic():
        for parent, removed in groups.values():
            if parent is not None:
                _restate(parent, actor=actor, removed=removed)
            else:
                for line in lines:
                    if line.pk in removed:
                        sales.delete_line_item(line, actor=actor)  # type: ignore[arg-type]


def _restate(
    parent: Invoice | Deal | Quote,
    *,
    actor: Actor,
    changed: dict[int, LineInput] | None = None,
    removed: set[int] | frozenset[int] = frozenset(),
) -> None:
    """One edit of the record: the changed lines in place, the removed ones gone."""
    if isinstance(parent, Invoice):
        invoices.restate_invoice_lines(parent, actor=actor, changed=changed, removed=removed)
    else:
        sales.restate_line_items(parent, actor=actor, changed=changed, removed=removed)


def _fresh(lines: list[models.Model]) -> list[models.Model]:
    """The lines as stored now, in the order given."""
    ids = [line.pk for line in lines]
    stored = {**LineItem.objects.in_bulk(ids), **InvoiceLine.objects.in_bulk(ids)}
    return [stored[pk] for pk in ids]
