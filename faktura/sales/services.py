"""Products, deals, quotes and their line items."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from faktura.accounts.permissions import can_edit_records
from faktura.accounts.services import get_account_settings
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.money import normalize_currency, parse_amount
from faktura.core.properties import object_type_for
from faktura.crm.models import Company, Contact
from faktura.crm.properties import COMPANY, CONTACT
from faktura.history import services as history
from faktura.history.records import (
    archive_record,
    create_record,
    not_archived,
    restore_record,
    update_record,
)
from faktura.sales import rules
from faktura.sales.line_store import store_lines
from faktura.sales.lines import LineInput, clean_lines, restated
from faktura.sales.models import (
    Deal,
    DealContact,
    LineItem,
    LineNumber,
    Product,
    Quote,
    QuoteContact,
)
from faktura.sales.pricing import totals
from faktura.sales.properties import LINE_ITEM, PRODUCT, QUOTE


def create_product(*, actor: Actor, **values: Any) -> Product:
    require(can_edit_records(actor))
    if not values.get("name"):
        raise RuleViolation("A product needs a name.")
    return create_record(Product, actor=actor, values=values)


def update_product(product: Product, *, actor: Actor, values: Mapping[str, Any]) -> Product:
    require(can_edit_records(actor))
    return update_record(product, actor=actor, values=values)


# --- archiving (HubSpot's delete): hidden from lists and pickers, associations kept, restorable


def archive_product(product: Product, *, actor: Actor) -> Product:
    """No longer offered for new lines; lines that already name it keep it."""
    require(can_edit_records(actor))
    return archive_record(product, actor=actor)


def restore_product(product: Product, *, actor: Actor) -> Product:
    require(can_edit_records(actor))
    return restore_record(product, actor=actor)


def archive_deal(deal: Deal, *, actor: Actor) -> Deal:
    """Its contacts, companies, line items, quotes and invoices stay for a restore."""
    require(can_edit_records(actor))
    return archive_record(deal, actor=actor)


def restore_deal(deal: Deal, *, actor: Actor) -> Deal:
    require(can_edit_records(actor))
    return restore_record(deal, actor=actor)


def archive_quote(quote: Quote, *, actor: Actor) -> Quote:
    """Its deal, contacts, companies, line items and invoices stay for a restore."""
    require(can_edit_records(actor))
    return archive_record(quote, actor=actor)


def restore_quote(quote: Quote, *, actor: Actor) -> Quote:
    require(can_edit_records(actor))
    return restore_record(quote, actor=actor)


def create_deal(
    *,
    actor: Actor,
    contacts: Iterable[Contact] = (),
    companies: Iterable[Company] = (),
    lines: Sequence[LineInput | Mapping[str, Any]] = (),
    **values: Any,
) -> Deal:
    """A deal in the given currency, else the account's default. Its amount is its line items'
    total when it has some (another amount given is refused), else the amount given."""
    require(can_edit_records(actor))
    if not values.get("dealname"):
        raise RuleViolation("A deal needs a name.")
    currency = normalize_currency(
        values.get("deal_currency_code") or get_account_settings().default_currency
    )
    values["deal_currency_code"] = currency
    cleaned = clean_lines(list(lines), currency)
    lines_total = _lines_total(cleaned, currency)
    amount = _read_deal_amount(values.pop("amount", None), currency)
    if amount is not None:  # left empty on a new deal: nothing given
        require(
            rules.can_set_deal_amount(
                str(values["dealname"]), amount, lines_total=lines_total, currency=currency
            )
        )
    with transaction.atomic():
        # Created with its real amount, so history's first value of it is the right one.
        amount = lines_total if lines_total is not None else amount
        deal = create_record(Deal, actor=actor, values=values, amount=amount)
        for contact in contacts:
            add_deal_contact(deal, contact, actor=actor)
        for company in companies:
            _refuse_new_association(deal, company)
        deal.companies.add(*companies)
        if cleaned:
            _store_line_items(deal, cleaned, actor=actor)
    return deal


def update_deal(
    deal: Deal,
    *,
    actor: Actor,
    values: Mapping[str, Any],
    lines: Sequence[LineInput | Mapping[str, Any]] | None = None,
) -> Deal:
    """Change a deal's properties and, when given, replace its line items: all or nothing. An
    amount given must be the line items' total when the deal has (or is given) line items."""
    require(can_edit_records(actor))
    values = dict(values)
    if "deal_currency_code" in values:
        values["deal_currency_code"] = normalize_currency(values["deal_currency_code"])
    if "dealname" in values and not values["dealname"]:
        raise RuleViolation("A deal needs a name.")
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        currency = values.get("deal_currency_code", locked.currency)
        if lines is None and currency != locked.currency and locked.line_items.exists():
            # The total is rounded to the currency: restating the lines recomputes it.
            lines = [LineInput.from_line(item, keep_id=True) for item in locked.line_items.all()]
        cleaned = clean_lines(list(lines), currency) if lines is not None else None
        if "amount" in values:
            values["amount"] = _read_deal_amount(values["amount"], currency)
            lines_total = _lines_total(
                locked.line_items.all() if cleaned is None else cleaned, currency
            )
            require(
                rules.can_set_deal_amount(
                    str(values.get("dealname") or locked.name),
                    values["amount"],
                    lines_total=lines_total,
                    currency=currency,
                )
            )
        deal = update_record(locked, actor=actor, values=values)
        if cleaned is not None:
            _store_line_items(deal, cleaned, actor=actor)
    return deal


def _read_deal_amount(value: Any, currency: str) -> Decimal | None:
    """An amount given for a deal, in its currency; empty clears it."""
    if value is None or value == "":
        return None
    return parse_amount(value, currency, field="Amount")


def _lines_total(lines: Iterable[LineInput | LineItem], currency: str) -> Decimal | None:
    """The lines' total, or None when there are none (a deal's amount is then its own)."""
    stated = list(lines)
    return totals(line.amounts(currency) for line in stated).total if stated else None


def add_deal_contact(deal: Deal, contact: Contact, *, actor: Actor) -> None:
    """Add a contact after the deal's others (the first added is the primary contact)."""
    require(can_edit_records(actor))
    with transaction.atomic():
        if not DealContact.objects.filter(deal=deal, contact=contact).exists():
            _refuse_new_association(deal, contact)
        _, created = DealContact.objects.get_or_create(deal=deal, contact=contact)
        if created:
            history.record_event(
                deal, "deal.association_added", actor=actor, data={"contact": contact.pk}
            )


def remove_deal_contact(deal: Deal, contact: Contact, *, actor: Actor) -> None:
    require(can_edit_records(actor))
    with transaction.atomic():
        deal = Deal.objects.select_for_update().get(pk=deal.pk)
        removed, _ = DealContact.objects.filter(deal=deal, contact=contact).delete()
        if not removed:
            raise _not_associated(contact, deal)
        history.record_event(
            deal, "deal.association_removed", actor=actor, data={"contact": contact.pk}
        )


def add_deal_company(deal: Deal, company: Company, *, actor: Actor) -> None:
    _add_company(Deal, deal, company, actor=actor)


def remove_deal_company(deal: Deal, company: Company, *, actor: Actor) -> None:
    _remove_company(Deal, deal, company, actor=actor)


def create_quote(
    *,
    actor: Actor,
    deal: Deal | None = None,
    lines: Sequence[Any] | None = None,
    contacts: Iterable[Contact] = (),
    companies: Iterable[Company] = (),
    **values: Any,
) -> Quote:
    """A quote, by default with the deal's contacts, companies, currency and line items (without
    a deal, in the account's default currency); `contacts` and `companies` are added after the
    deal's."""
    require(can_edit_records(actor))
    if not values.get("hs_title"):
        raise RuleViolation("A quote needs a name.")
    if deal is not None:
        require(not_archived(deal, to="get a new quote"))
    default = deal.currency if deal else get_account_settings().default_currency
    values["hs_currency"] = normalize_currency(values.get("hs_currency") or default)
    with transaction.atomic():
        quote = create_record(Quote, actor=actor, values=values, deal=deal)
        if deal is not None:
            # One row each, in the deal's order: the association order is the contact order.
            # Archived contacts and companies stay on the deal but are not carried over.
            QuoteContact.objects.bulk_create(
                QuoteContact(quote=quote, contact=contact)
                for contact in CONTACT.unarchived(deal.contacts_in_order())
            )
            quote.companies.add(*COMPANY.unarchived(deal.companies.all()))
            if lines is None:
                lines = [LineInput.from_line(item) for item in deal.line_items.all()]
        for contact in contacts:
            add_quote_contact(quote, contact, actor=actor)
        for company in companies:
            _refuse_new_association(quote, company)
        quote.companies.add(*companies)
        if lines:
            set_line_items(quote, lines, actor=actor)
    return quote


def update_quote(
    quote: Quote,
    *,
    actor: Actor,
    values: Mapping[str, Any],
    lines: Sequence[LineInput | Mapping[str, Any]] | None = None,
) -> Quote:
    """Change a quote's properties and, when given, replace its line items: all or nothing."""
    require(can_edit_records(actor))
    values = dict(values)
    if "hs_currency" in values:
        values["hs_currency"] = normalize_currency(values["hs_currency"])
    if "hs_title" in values and not values["hs_title"]:
        raise RuleViolation("A quote needs a name.")
    with transaction.atomic():
        quote = update_record(quote, actor=actor, values=values)
        if lines is not None:
            set_line_items(quote, lines, actor=actor)
    return quote


def add_quote_contact(quote: Quote, contact: Contact, *, actor: Actor) -> None:
    """Add a contact after the quote's others (the first added is the primary contact)."""
    require(can_edit_records(actor))
    with transaction.atomic():
        if not QuoteContact.objects.filter(quote=quote, contact=contact).exists():
            _refuse_new_association(quote, contact)
        _, created = QuoteContact.objects.get_or_create(quote=quote, contact=contact)
        if created:
            history.record_event(
                quote, "quote.association_added", actor=actor, data={"contact": contact.pk}
            )


def remove_quote_contact(quote: Quote, contact: Contact, *, actor: Actor) -> None:
    require(can_edit_records(actor))
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        removed, _ = QuoteContact.objects.filter(quote=quote, contact=contact).delete()
        if not removed:
            raise _not_associated(contact, quote)
        history.record_event(
            quote, "quote.association_removed", actor=actor, data={"contact": contact.pk}
        )


def add_quote_company(quote: Quote, company: Company, *, actor: Actor) -> None:
    _add_company(Quote, quote, company, actor=actor)


def remove_quote_company(quote: Quote, company: Company, *, actor: Actor) -> None:
    _remove_company(Quote, quote, company, actor=actor)


def _add_company[D: (Deal, Quote)](
    model: type[D], document: D, company: Company, *, actor: Actor
) -> None:
    require(can_edit_records(actor))
    with transaction.atomic():
        document = model.objects.select_for_update().get(pk=document.pk)
        if document.companies.filter(pk=company.pk).exists():
            return
        _refuse_new_association(document, company)
        document.companies.add(company)
        history.record_event(
            document,
            f"{model._meta.model_name}.association_added",
            actor=actor,
            data={"company": company.pk},
        )


def _remove_company[D: (Deal, Quote)](
    model: type[D], document: D, company: Company, *, actor: Actor
) -> None:
    require(can_edit_records(actor))
    with transaction.atomic():
        document = model.objects.select_for_update().get(pk=document.pk)
        if not document.companies.filter(pk=company.pk).exists():
            raise _not_associated(company, document)
        document.companies.remove(company)
        history.record_event(
            document,
            f"{model._meta.model_name}.association_removed",
            actor=actor,
            data={"company": company.pk},
        )


def _refuse_new_association(document: Deal | Quote, record: Contact | Company) -> None:
    """Archived records keep the associations they have but get no new ones, on either side."""
    kind = "deal" if isinstance(document, Deal) else "quote"
    other = "contact" if isinstance(record, Contact) else "company"
    require(not_archived(document, to=f"get another {other}"))
    require(not_archived(record, to=f"be added to a {kind}"))


def _not_associated(record: Contact | Company, document: Deal | Quote) -> RuleViolation:
    kind = "deal" if isinstance(document, Deal) else "quote"
    return RuleViolation(
        f"{record} is not on the {kind} '{document}', so there is nothing to remove. "
        "Reload the page to see the current associations."
    )


def complete_quote_signature(quote: Quote, *, actor: Actor) -> Quote:
    """The buyer's e-signature completed (the trigger of QB-7)."""
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        before = QUOTE.snapshot(quote)
        if quote.esign_completed_at is not None:
            raise RuleViolation(f"Quote '{quote.title}' is already signed.")
        quote.esign_completed_at = timezone.now()
        quote.save(update_fields=["esign_completed_at", "updated_at"])
        history.record_changes(quote, before, QUOTE.snapshot(quote), actor=actor)
    return quote


def set_line_items(
    parent: Deal | Quote, lines: Sequence[LineInput | Mapping[str, Any]], *, actor: Actor
) -> list[LineItem]:
    """Replace all line items of a deal or quote. A deal's amount follows them: it becomes their
    total (with no line items left, it keeps its last amount, now the user's to change)."""
    require(can_edit_records(actor))
    return _store_line_items(parent, clean_lines(list(lines), parent.currency), actor=actor)


def _store_line_items(
    parent: Deal | Quote, cleaned: list[LineInput], *, actor: Actor
) -> list[LineItem]:
    """set_line_items with lines already cleaned in the parent's currency."""
    require(not_archived(parent, to="have its line items changed"))
    on_document = set(parent.line_items.values_list("product_id", flat=True))
    if isinstance(parent, Quote) and parent.deal is not None:
        on_document |= set(parent.deal.line_items.values_list("product_id", flat=True))
    refuse_archived_products(cleaned, kept=on_document)
    # Refuses a document whose total would not fit, before anything is written.
    lines_total = _lines_total(cleaned, parent.currency)
    key = "deal" if isinstance(parent, Deal) else "quote"
    with transaction.atomic():
        locked = type(parent)._default_manager.select_for_update().get(pk=parent.pk)
        before = _with_lines(locked)
        store_lines(LineItem, locked.line_items.all(), cleaned, **{key: locked})
        if (
            isinstance(locked, Deal)
            and isinstance(parent, Deal)
            and lines_total not in (None, locked.amount)
        ):
            locked.amount = parent.amount = lines_total
            locked.save(update_fields=["amount", "updated_at"])
        items = list(locked.line_items.all())
        # The amounts that follow the lines are recorded with them, in the same write.
        history.record_changes(locked, before, _with_lines(locked), actor=actor)
    return items


def add_line_items(
    parent: Deal | Quote, lines: Sequence[LineInput], *, actor: Actor
) -> list[LineItem]:
    """Append lines cleaned in the parent's currency in one write, whatever their number. The
    new line items."""
    require(can_edit_records(actor))
    with transaction.atomic():
        locked = type(parent)._default_manager.select_for_update().get(pk=parent.pk)
        kept = [LineInput.from_line(item, keep_id=True) for item in locked.line_items.all()]
        return _store_line_items(locked, [*kept, *lines], actor=actor)[len(kept) :]


def restate_line_items(
    parent: Deal | Quote,
    *,
    actor: Actor,
    changed: Mapping[int, LineInput] | None = None,
    removed: Collection[int] = (),
) -> list[LineItem]:
    """Change some line items in place (by id, cleaned in the parent's currency) and remove
    others, in one write whatever their number; the others stay as they are."""
    require(can_edit_records(actor))
    with transaction.atomic():
        locked = type(parent)._default_manager.select_for_update().get(pk=parent.pk)
        lines = restated(locked.line_items.all(), changed or {}, removed)
        return _store_line_items(locked, lines, actor=actor)


# --- line items on their own (the API's line_items, ADR 0006) ---------------------------------


def create_line_item(*, actor: Actor, values: Mapping[str, Any]) -> LineItem:
    """A line item that belongs to nothing yet: an integration associates it afterwards."""
    require(can_edit_records(actor))
    [line] = clean_lines([values], get_account_settings().default_currency)
    with transaction.atomic():
        [number] = LineNumber.objects.draw(1)
        item = LineItem.objects.create(id=number, position=0, **line.as_fields())
        history.record_created(item, actor=actor)
    return item


def update_line_item(item: LineItem, *, actor: Actor, values: Mapping[str, Any]) -> LineItem:
    """Change one line item; on a deal or quote it is restated in place among the others."""
    require(can_edit_records(actor))
    parent = item.deal or item.quote
    with transaction.atomic():
        item = LineItem.objects.select_for_update().get(pk=item.pk)
        changed = {**LineInput.from_line(item).as_fields(), **values}
        if parent is None:
            [line] = clean_lines([changed], get_account_settings().default_currency)
            before = LINE_ITEM.snapshot(item)
            for name, value in line.as_fields().items():
                setattr(item, name, value)
            item.save()
            history.record_changes(item, before, LINE_ITEM.snapshot(item), actor=actor)
            return item
        restated = [
            LineInput(**changed, id=item.pk)
            if other.pk == item.pk
            else LineInput.from_line(other, keep_id=True)
            for other in parent.line_items.all()
        ]
        set_line_items(parent, restated, actor=actor)
    return LineItem.objects.get(pk=item.pk)


def attach_line_item(item: LineItem, parent: Deal | Quote, *, actor: Actor) -> LineItem:
    """Give a line item with no parent to a deal or quote (a line item has one parent, H-7)."""
    require(can_edit_records(actor))
    with transaction.atomic():
        item = LineItem.objects.select_for_update().get(pk=item.pk)
        if item.deal_id or item.quote_id:
            raise RuleViolation(
                f"Line item {item.pk} already belongs to {item.deal or item.quote}: a line item "
                "has one parent. Create a new line item for this record.",
                code="line_item_taken",
            )
        lines = [LineInput.from_line(other, keep_id=True) for other in parent.line_items.all()]
        moved = LineInput.from_line(item, keep_id=True)
        LineItem.objects.filter(pk=item.pk).delete()  # stored again under the parent, same id
        set_line_items(parent, [*lines, moved], actor=actor)
    return LineItem.objects.get(pk=item.pk)


def delete_line_item(item: LineItem, *, actor: Actor) -> None:
    """Remove a line item: from its deal or quote, or one that belongs to nothing."""
    require(can_edit_records(actor))
    parent = item.deal or item.quote
    with transaction.atomic():
        if parent is None:
            history.record_event(item, "line_item.deleted", actor=actor)
            LineItem.objects.filter(pk=item.pk).delete()
            return
        kept = [
            LineInput.from_line(other, keep_id=True)
            for other in parent.line_items.all()
            if other.pk != item.pk
        ]
        set_line_items(parent, kept, actor=actor)


def refuse_archived_products(lines: Sequence[LineInput], *, kept: Collection[int | None]) -> None:
    """An archived product cannot be picked for a new line. Lines restated by id, and products in
    `kept` (already on the document, or on what it was made from) pass, so no edit loses a line."""
    picked = {line.product_id for line in lines if line.product_id and line.id is None}
    archived = PRODUCT.archived(Product.objects.filter(pk__in=picked - set(kept)))
    if product := archived.order_by("name", "id").first():
        require(not_archived(product, to="be picked for a new line"))


def _with_lines(parent: Deal | Quote) -> dict[str, str | None]:
    """The document's tracked values with its line items as text: the before and after of a
    change of its lines."""
    lines = "; ".join(item.describe() for item in parent.line_items.all()) or None
    return {**object_type_for(parent).snapshot(parent), "line_items": lines}
