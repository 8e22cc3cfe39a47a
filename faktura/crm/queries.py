"""Finding contacts and companies by what a person types: name, email or domain. Archived
records are never offered: they cannot be newly associated."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from faktura.crm.models import Company, Contact
from faktura.crm.properties import COMPANY, CONTACT

# A picker shows this many matches; typing more narrows them down.
PICKER_RESULTS = 20
# A select lists at most this many records (plus the chosen one).
OPTIONS_SHOWN = 200


def search_contacts(text: str, *, exclude: Iterable[int] = ()) -> QuerySet[Contact]:
    contacts = CONTACT.unarchived(Contact.objects.exclude(pk__in=list(exclude)))
    for word in text.split()[:5]:
        contacts = contacts.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return contacts.order_by("first_name", "last_name", "id")


def search_companies(text: str, *, exclude: Iterable[int] = ()) -> QuerySet[Company]:
    companies = COMPANY.unarchived(Company.objects.exclude(pk__in=list(exclude)))
    for word in text.split()[:5]:
        companies = companies.filter(Q(name__icontains=word) | Q(domain__icontains=word))
    return companies.order_by("name", "id")
