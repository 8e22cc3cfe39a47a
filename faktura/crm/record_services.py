"""Contacts' and companies' services and their association, declared for code that acts on any
object type (faktura.core.record_services)."""

from django.db.models import QuerySet

from faktura.core.actors import Actor
from faktura.core.record_services import (
    Associated,
    Association,
    Values,
    declare_association,
    services_for,
)
from faktura.crm import services as crm
from faktura.crm.models import Company, Contact


def _create_contact(values: Values, /, *, actor: Actor, associated: Associated) -> Contact:
    return crm.create_contact(actor=actor, **values)


def _create_company(values: Values, /, *, actor: Actor, associated: Associated) -> Company:
    return crm.create_company(actor=actor, **values)


def _companies(contact: Contact) -> QuerySet[Company]:
    return contact.companies.order_by("id")


def _oldest_company(contact: Contact) -> Company | None:
    """A contact's companies have no order of their own: the oldest stands for them."""
    return contact.companies.order_by("id").first()


def _contacts(company: Company) -> QuerySet[Contact]:
    return company.contacts.order_by("id")


def _add_contact(company: Company, contact: Contact, /, *, actor: Actor) -> None:
    crm.associate_contact_with_company(contact, company, actor=actor)


def _remove_contact(company: Company, contact: Contact, /, *, actor: Actor) -> None:
    crm.dissociate_contact_from_company(contact, company, actor=actor)


def declare() -> None:
    services_for("contacts").declare(
        create=_create_contact, update=crm.update_contact, archive=crm.archive_contact
    )
    services_for("companies").declare(
        create=_create_company, update=crm.update_company, archive=crm.archive_company
    )
    declare_association(
        Association(
            "contacts",
            "companies",
            records=_companies,
            primary=_oldest_company,
            add=crm.associate_contact_with_company,
            remove=crm.dissociate_contact_from_company,
            lookup="companies__id",
        )
    )
    declare_association(
        Association(
            "companies",
            "contacts",
            records=_contacts,
            add=_add_contact,
            remove=_remove_contact,
            lookup="contacts__id",
        )
    )
