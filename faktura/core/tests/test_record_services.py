"""The declaration of an object type's services: each part declared once, whichever app
declares it."""

import pytest

from faktura.core.actors import Actor
from faktura.core.record_services import (
    Associated,
    Association,
    RecordServices,
    Values,
    declare_association,
)
from faktura.crm.models import Contact


def _nothing(values: Values, /, *, actor: Actor, associated: Associated) -> Contact:
    return Contact()


def _no_contacts(record: object) -> list[Contact]:
    return []


def _forget(record: object, /, *, actor: Actor) -> None:
    return None


def test_a_service_declared_twice_is_refused_naming_it():
    services = RecordServices("contacts")
    services.declare(create=_nothing)
    with pytest.raises(ValueError, match="The create of contacts is declared twice"):
        services.declare(create=_nothing)


def test_an_app_may_declare_the_part_another_left_open():
    services = RecordServices("contacts")
    services.declare(create=_nothing)
    services.declare(archive=_forget)
    assert services.create is _nothing
    assert services.tables[0].archive is _forget
    assert services.tables[0].update is None


def test_an_association_declared_twice_is_refused():
    # contacts → companies is declared by the crm app when it is ready.
    with pytest.raises(ValueError, match="contacts → companies is declared twice"):
        declare_association(Association("contacts", "companies", records=_no_contacts))
