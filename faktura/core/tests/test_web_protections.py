"""What the attacker's probe of issue 13 found holding, kept so (docs/security.md): staff pages
refuse a POST without the CSRF token, and text a stranger typed is shown as text, never markup,
on staff pages and on the buyer's page."""

import pytest
from django.test import Client

from faktura.crm import services as crm
from faktura.crm.models import Contact

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_a_staff_post_without_the_csrf_token_changes_nothing(editor_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor_user)
    answer = client.post("/contacts/new/", {"firstname": "Mallory", "email": "m@example.com"})
    assert answer.status_code == 403
    assert not Contact.objects.filter(first_name="Mallory").exists()


def test_hostile_text_is_escaped_on_the_record_page_and_the_buyer_page(
    signed_in, editor_user, system, make_invoice
):
    contact = crm.create_contact(actor=system, firstname=HOSTILE, email="x@example.com")
    page = signed_in(editor_user).get(f"/contacts/{contact.pk}/").content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    invoice = make_invoice(
        finalized=True,
        lines=[{"name": HOSTILE, "unit_price": "10", "quantity": "1", "tax_rate": "0"}],
    )
    buyer = Client().get(f"/i/{invoice.public_token}/").content.decode()
    assert "<script>alert(1)" not in buyer
    assert 'onerror="alert(2)"' not in buyer
