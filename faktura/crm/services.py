"""Contacts and companies."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.crm.models import Company, Contact
from faktura.history import services as history
from faktura.history.records import create_record, update_record


def create_contact(*, actor: Actor, **values: Any) -> Contact:
    if not any(values.get(key) for key in ("email", "firstname", "lastname")):
        raise RuleViolation("A contact needs at least an email address or a name.")
    return create_record(Contact, actor=actor, values=values)


def update_contact(contact: Contact, *, actor: Actor, values: Mapping[str, Any]) -> Contact:
    return update_record(contact, actor=actor, values=values)


def create_company(*, actor: Actor, **values: Any) -> Company:
    if not values.get("name"):
        raise RuleViolation("A company needs a name.")
    return create_record(Company, actor=actor, values=values)


def update_company(company: Company, *, actor: Actor, values: Mapping[str, Any]) -> Company:
    return update_record(company, actor=actor, values=values)


def associate_contact_with_company(contact: Contact, company: Company, *, actor: Actor) -> None:
    """Tie a contact to a company; doing it twice changes nothing and records nothing."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.companies.filter(pk=company.pk).exists():
            return
        contact.companies.add(company)
        history.record_event(
            contact, "contact.association_added", actor=actor, data={"company": company.pk}
        )
        history.record_event(
            company, "company.association_added", actor=actor, data={"contact": contact.pk}
        )


def dissociate_contact_from_company(contact: Contact, company: Company, *, actor: Actor) -> None:
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if not contact.companies.filter(pk=company.pk).exists():
            raise RuleViolation(
                f"{contact} is not associated with {company.name}, so there is nothing to "
                "remove. Reload the page to see the current associations."
            )
        contact.companies.remove(company)
        history.record_event(
            contact, "contact.association_removed", actor=actor, data={"company": company.pk}
        )
        history.record_event(
            company, "company.association_removed", actor=actor, data={"contact": contact.pk}
        )
