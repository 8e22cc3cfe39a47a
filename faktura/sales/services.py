"""Products, deals, quotes and their line items."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.money import normalize_currency
from faktura.crm.models import Company, Contact
from faktura.history import services as history
from faktura.history.records import create_record, update_record
from faktura.sales.lines import LineInput, clean_lines
from faktura.sales.models import Deal, DealContact, LineItem, Product, Quote, QuoteContact
from faktura.sales.pricing import totals
from faktura.sales.properties import QUOTE


def create_product(*, actor: Actor, **values: Any) -> Product:
    if not values.get("name"):
        raise RuleViolation("A product needs a name.")
    return create_record(Product, actor=actor, values=values)


def update_product(product: Product, *, actor: Actor, values: Mapping[str, Any]) -> Product:
    return update_record(product, actor=actor, values=values)


def create_deal(
    *,
    actor: Actor,
    contacts: Iterable[Contact] = (),
    companies: Iterable[Company] = (),
    lines: Sequence[LineInput | Mapping[str, Any]] = (),
    **values: Any,
) -> Deal:
    if not values.get("dealname"):
        raise RuleViolation("A deal needs a name.")
    values.setdefault("deal_currency_code", "USD")
    values["deal_currency_code"] = normalize_currency(values["deal_currency_code"])
    with transaction.atomic():
        deal = create_record(Deal, actor=actor, values=values)
        for contact in contacts:
            add_deal_contact(deal, contact, actor=actor)
        deal.companies.add(*companies)
        if lines:
            set_line_items(deal, lines, actor=actor)
    return deal


def update_deal(
    deal: Deal,
    *,
    actor: Actor,
    values: Mapping[str, Any],
    lines: Sequence[LineInput | Mapping[str, Any]] | None = None,
) -> Deal:
    """Change a deal's properties and, when given, replace its line items: all or nothing."""
    values = dict(values)
    if "deal_currency_code" in values:
        values["deal_currency_code"] = normalize_currency(values["deal_currency_code"])
    if "dealname" in values and not values["dealname"]:
        raise RuleViolation("A deal needs a name.")
    with transaction.atomic():
        deal = update_record(deal, actor=actor, values=values)
        if lines is not None:
            set_line_items(deal, lines, actor=actor)
    return deal


def add_deal_contact(deal: Deal, contact: Contact, *, actor: Actor) -> None:
    """Add a contact after the deal's others (the first added is the primary contact)."""
    with transaction.atomic():
        _, created = DealContact.objects.get_or_create(deal=deal, contact=contact)
        if created:
            history.record_event(
                deal, "deal.association_added", actor=actor, data={"contact": contact.pk}
            )


def remove_deal_contact(deal: Deal, contact: Contact, *, actor: Actor) -> None:
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
    """A quote, by default with the deal's contacts, companies, currency and line items;
    `contacts` and `companies` are added after the deal's."""
    if not values.get("hs_title"):
        raise RuleViolation("A quote needs a name.")
    values.setdefault("hs_currency", deal.currency if deal else "USD")
    values["hs_currency"] = normalize_currency(values["hs_currency"])
    with transaction.atomic():
        quote = create_record(Quote, actor=actor, values=values, deal=deal)
        if deal is not None:
            # One row each, in the deal's order: the association order is the contact order.
            QuoteContact.objects.bulk_create(
                QuoteContact(quote=quote, contact=contact) for contact in deal.contacts_in_order()
            )
            quote.companies.add(*deal.companies.all())
            if lines is None:
                lines = [LineInput.from_line(item) for item in deal.line_items.all()]
        for contact in contacts:
            add_quote_contact(quote, contact, actor=actor)
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
    with transaction.atomic():
        _, created = QuoteContact.objects.get_or_create(quote=quote, contact=contact)
        if created:
            history.record_event(
                quote, "quote.association_added", actor=actor, data={"contact": contact.pk}
            )


def remove_quote_contact(quote: Quote, contact: Contact, *, actor: Actor) -> None:
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
    with transaction.atomic():
        document = model.objects.select_for_update().get(pk=document.pk)
        if document.companies.filter(pk=company.pk).exists():
            return
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
    """Replace all line items of a deal or quote."""
    cleaned = clean_lines(list(lines), parent.currency)
    # Refuses a document whose total would not fit, before anything is written.
    totals(line.amounts(parent.currency) for line in cleaned)
    key = "deal" if isinstance(parent, Deal) else "quote"
    with transaction.atomic():
        before = _lines_text(parent)
        parent.line_items.all().delete()
        items = LineItem.objects.bulk_create(
            LineItem(position=index, **{key: parent}, **line.as_fields())
            for index, line in enumerate(cleaned)
        )
        history.record_changes(
            parent, {"line_items": before}, {"line_items": _lines_text(parent)}, actor=actor
        )
    return items


def _lines_text(parent: Deal | Quote) -> str | None:
    return "; ".join(item.describe() for item in parent.line_items.all()) or None
