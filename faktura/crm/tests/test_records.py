import pytest

from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.crm.models import Contact
from faktura.history.models import Entry
from faktura.history.queries import property_history


def test_contact_created_with_history_when_email_given(system):  # SPEC INV-1
    contact = crm.create_contact(actor=system, firstname="Grace", email="grace@example.com")
    changes = {
        e.property: e.new_value
        for e in Entry.objects.for_object("contact", contact.pk).filter(kind="change")
    }
    assert changes["email"] == "grace@example.com"
    assert changes["firstname"] == "Grace"


def test_contact_refused_when_it_has_no_name_or_email(system):
    with pytest.raises(RuleViolation, match="email address or a name"):
        crm.create_contact(actor=system, phone="+47 1234")
    assert not Contact.objects.exists()


def test_contact_refused_when_email_is_malformed(system):
    with pytest.raises(RuleViolation, match="email") as refused:
        crm.create_contact(actor=system, email="not-an-address")
    assert refused.value.code == "invalid_value"
    assert not Contact.objects.exists()


def test_contact_update_records_old_and_new_value_when_changed(system, editor, contact):
    crm.update_contact(contact, actor=editor, values={"email": "ada@lovelace.example"})
    entry = property_history(contact, "email").first()
    assert entry is not None
    assert (entry.old_value, entry.new_value) == ("ada@example.com", "ada@lovelace.example")
    assert entry.actor_kind == "user"


def test_update_refused_when_property_is_read_only_or_unknown(system, contact):
    with pytest.raises(RuleViolation, match="set by Faktura"):
        crm.update_contact(contact, actor=system, values={"hs_object_id": "5"})
    with pytest.raises(RuleViolation, match="does not exist"):
        crm.update_contact(contact, actor=system, values={"shoe_size": "42"})


def test_company_and_association_when_created(system, contact):
    company = crm.create_company(actor=system, name="Analytical Engines Ltd")
    crm.associate_contact_with_company(contact, company, actor=system)
    assert list(contact.companies.all()) == [company]
    with pytest.raises(RuleViolation, match="needs a name"):
        crm.create_company(actor=system, domain="nameless.example")
