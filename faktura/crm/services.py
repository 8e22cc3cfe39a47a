"""Contacts and companies."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from faktura.accounts.permissions import can_edit_records
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.crm.models import Company, Contact
from faktura.history import services as history
from faktura.history.records import (
    archive_record,
    create_record,
    not_archived,
    restore_record,
    update_record,
)


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


def archive_contact(contact: Contact, *, actor: Actor) -> Contact:
    """Archive (HubSpot's delete): gone from lists and pickers, kept on its deals, quotes,
    invoices and companies, restorable."""
    require(can_edit_records(actor))
    return archive_record(contact, actor=actor)


def restore_contact(contact: Contact, *, actor: Actor) -> Contact:
    require(can_edit_records(actor))
    return restore_record(contact, actor=actor)


def archive_company(company: Company, *, actor: Actor) -> Company:
    """Archive (HubSpot's delete): gone from lists and pickers, kept on its contacts, deals,
    quotes and invoices, restorable."""
    require(can_edit_records(actor))
    return archive_record(company, actor=actor)


def restore_company(company: Company, *, actor: Actor) -> Company:
    require(can_edit_records(actor))
    return restore_record(company, actor=actor)


def associate_contact_with_company(contact: Contact, company: Company, *, actor: Actor) -> None:
    """Tie a contact to a company; doing it twice changes nothing and records nothing. Neither
    may be archived."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.companies.filter(pk=company.pk).exists():
            return
        require(not_archived(contact, to="be added to a company"))
        require(not_archived(company, to="be added to a contact"))
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
