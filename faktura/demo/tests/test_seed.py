import pytest

from faktura.accounts.models import User
from faktura.core.actors import Actor
from faktura.demo.seed import seed_demo
from faktura.invoices.models import Invoice, InvoiceStatus, PaymentState
from faktura.listings.models import SavedView


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


def test_admin_lists_invoices_read_only_when_operator_logs_in(client, db):
    login = seed_demo()
    credentials = {"username": login.username, "password": login.password}
    assert client.post("/login/", credentials).status_code == 302
    listing = client.get("/admin/invoices/invoice/")
    assert listing.status_code == 200
    assert "INV-1" in listing.text
    invoice = Invoice.objects.exclude(number=None).first()
    assert invoice is not None
    # Operators see the record but cannot change it around the services.
    page = client.get(f"/admin/invoices/invoice/{invoice.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert client.post(f"/admin/invoices/invoice/{invoice.pk}/change/", {}).status_code == 403
    assert client.get("/admin/invoices/invoice/add/").status_code == 403


def test_demo_shares_invoice_views_that_open_as_tabs(client, db):
    login = seed_demo()
    client.post("/login/", {"username": login.username, "password": login.password})
    views = SavedView.objects.filter(shared=True).order_by("id")
    assert [v.name for v in views] == ["Open invoices", "Drafts"]
    page = client.get(f"/invoices/?view={views[0].pk}").content.decode()
    assert "Open invoices" in page
    assert "Draft invoice" not in page  # the view shows only open invoices


# SPEC WF-2
@pytest.mark.django_db(transaction=True)  # the step runs when the enrollment commits
def test_demo_workflow_asks_to_invoice_a_deal_once_it_is_won():
    from faktura.crm.models import Activity
    from faktura.sales import services as sales
    from faktura.sales.models import Deal
    from faktura.workflows.models import Workflow
    from faktura.workflows.tests.conftest import read_feed

    login = seed_demo()
    workflow = Workflow.objects.get()
    assert workflow.enabled
    assert not workflow.has_unpublished_changes
    deal = Deal.objects.exclude(stage="closedwon").first()
    assert deal is not None
    read_feed()  # the demo's own history enrolls nothing
    assert not Activity.objects.exists()
    admin = User.objects.get(username=login.username)
    sales.update_deal(deal, actor=Actor.for_user(admin), values={"dealstage": "closedwon"})
    read_feed()
    task = Activity.objects.get()
    assert task.title == f"Invoice {deal.name}"
