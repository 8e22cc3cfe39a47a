import pytest

from faktura.accounts.models import User
from faktura.demo.seed import seed_demo
from faktura.invoices.models import Invoice, InvoiceStatus, PaymentState


def test_demo_has_invoices_in_every_state_when_seeded(db):
    login = seed_demo()
    admin = User.objects.get(username=login.username)
    assert admin.check_password(login.password)
    assert admin.is_superuser
    states = {(i.status, i.payment_state) for i in Invoice.objects.all()}
    assert (InvoiceStatus.DRAFT, PaymentState.UNPAID) in states
    assert (InvoiceStatus.OPEN, PaymentState.UNPAID) in states
    assert (InvoiceStatus.OPEN, PaymentState.PARTIALLY_PAID) in states
    assert (InvoiceStatus.PAID, PaymentState.PAID) in states
    assert (InvoiceStatus.VOIDED, PaymentState.UNPAID) in states
    assert any(i.is_overdue() for i in Invoice.objects.all())


def test_demo_refused_when_database_has_users(admin_user):
    with pytest.raises(RuntimeError, match="already has users"):
        seed_demo()
