"""Payment links' services (PAY-6): making a link and its refusals, a buyer's purchase, and the
completion that creates contact, deal and payment exactly once."""

from decimal import Decimal

import pytest

from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.crm.models import Contact
from faktura.emails.models import EmailKind
from faktura.emails.queries import emails_about
from faktura.history.models import Entry
from faktura.payment_links import services
from faktura.payment_links.models import PurchaseStatus
from faktura.payment_links.services import ItemInput
from faktura.payment_links.tests.factories import paid_session
from faktura.payments.models import Payment
from faktura.sales import services as sales
from faktura.sales.models import Deal, DealStage

pytestmark = pytest.mark.django_db


@pytest.fixture
def widget(system):
    return sales.create_product(actor=system, name="Widget", price="25.00", hs_sku="W-1")


@pytest.fixture
def link(editor, widget, product):
    # product: "Support plan", 80.00 with 10 % tax
    return services.create_link(
        actor=editor,
        name="Spring sale",
        currency="USD",
        items=[ItemInput(widget.pk, 2), ItemInput(product.pk, "1")],
    )


def paid(purchase, **overrides):
    values = {
        "reference": str(purchase.pk),
        "amount": purchase.amount,
        "currency": purchase.currency,
        "payment_intent_id": f"pi_test_{purchase.pk}",
        "session_id": f"cs_test_{purchase.pk}",
        "fee": Decimal("4.27"),
        "customer_email": purchase.buyer_email,
        "customer_name": purchase.buyer_name,
    }
    return paid_session(**{**values, **overrides})


# --- making a link ---------------------------------------------------------------------------


# SPEC PAY-6
def test_a_link_copies_its_products_lines_and_a_later_product_edit_leaves_it(link, widget, editor):
    assert link.total == Decimal("138.00")  # 2 × 25 + 80 + 8 tax
    assert len(link.token) >= 32
    assert link.active
    assert link.payment_limit is None
    sales.update_product(widget, actor=editor, values={"name": "Gadget", "price": "99"})
    item = link.items.get(product=widget)
    assert (item.name, item.unit_price, item.quantity) == ("Widget", Decimal(25), Decimal(2))
    assert Entry.objects.filter(object_type="payment_link", event_type="payment_link.created")


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([], "no_products"),
        ([ItemInput("999999", 1)], "unknown_product"),
        ([ItemInput("widget", 0)], "invalid_quantity"),
        ([ItemInput("widget", -1)], "invalid_quantity"),
        ([ItemInput("widget", "1.5")], "invalid_quantity"),
        ([ItemInput("widget", "two")], "invalid_quantity"),
    ],
)
def test_making_a_link_refuses_bad_items_with_a_reason(editor, widget, items, code):
    items = [
        ItemInput(widget.pk if i.product_id == "widget" else i.product_id, i.quantity)
        for i in items
    ]
    with pytest.raises(RuleViolation) as refused:
        services.create_link(actor=editor, name="Bad", currency="USD", items=items)
    assert refused.value.code == code
    assert refused.value.reason.endswith(".")


def test_an_archived_product_is_refused(editor, widget):
    sales.archive_product(widget, actor=editor)
    with pytest.raises(RuleViolation, match="Widget is archived"):
        services.create_link(
            actor=editor, name="Old", currency="USD", items=[ItemInput(widget.pk, 1)]
        )


def test_a_price_the_currency_cannot_hold_is_refused(editor, widget):
    sales.update_product(widget, actor=editor, values={"price": "25.50"})
    with pytest.raises(RuleViolation, match="more decimals than JPY allows") as refused:
        services.create_link(
            actor=editor, name="Yen", currency="JPY", items=[ItemInput(widget.pk, 1)]
        )
    assert refused.value.code == "price_not_in_currency"


def test_name_currency_and_limit_are_checked(editor, widget):
    items = [ItemInput(widget.pk, 1)]
    with pytest.raises(RuleViolation, match="Give the link a name"):
        services.create_link(actor=editor, name=" ", currency="USD", items=items)
    with pytest.raises(RuleViolation, match="not a supported currency"):
        services.create_link(actor=editor, name="X", currency="XXX", items=items)
    for limit in ("0", "-2", "many"):
        with pytest.raises(RuleViolation, match="whole number of payments"):
            services.create_link(
                actor=editor, name="X", currency="USD", items=items, payment_limit=limit
            )


def test_view_only_users_cannot_make_or_change_links(viewer, link):
    with pytest.raises(RuleViolation, match="view-only"):
        services.create_link(actor=viewer, name="X", currency="USD", items=[])
    with pytest.raises(RuleViolation, match="view-only"):
        services.set_active(link, False, actor=viewer)


# --- buying ----------------------------------------------------------------------------------


# SPEC PAY-6
def test_a_purchase_is_opened_with_the_links_total(link):
    purchase = services.open_purchase(link, name="  Grace   Hopper ", email="grace@example.com")
    assert purchase.buyer_name == "Grace Hopper"
    assert (purchase.amount, purchase.currency, purchase.status) == (
        Decimal("138.00"),
        "USD",
        PurchaseStatus.OPEN,
    )


@pytest.mark.parametrize(
    ("name", "email", "message"),
    [
        ("", "a@example.com", "Enter your name."),
        ("Ada", "", "Enter a valid email address"),
        ("Ada", "not-an-email", "Enter a valid email address"),
    ],
)
def test_the_buyer_is_told_what_to_correct(link, name, email, message):
    with pytest.raises(RuleViolation, match=message):
        services.open_purchase(link, name=name, email=email)


def test_an_inactive_link_takes_no_purchase(link, editor):
    services.set_active(link, False, actor=editor)
    with pytest.raises(RuleViolation, match="no longer active") as refused:
        services.open_purchase(link, name="Ada", email="ada@example.com")
    assert refused.value.code == "inactive"
    services.set_active(link, True, actor=editor)
    assert services.open_purchase(link, name="Ada", email="ada@example.com")


# --- completing ------------------------------------------------------------------------------


# SPEC PAY-6
# SPEC QB-8
def test_a_paid_purchase_creates_contact_deal_and_payment_once(
    link, account, smtp_server, django_capture_on_commit_callbacks
):
    account(default_from_email="shop@faktura.test")
    purchase = services.open_purchase(link, name="Grace Hopper", email="Grace@Example.com")
    with django_capture_on_commit_callbacks(execute=True):
        payments = [services.complete_purchase(paid(purchase)) for _ in range(3)]
    assert len({p.pk for p in payments}) == 1
    payment = Payment.objects.get()
    contact = Contact.objects.get()
    deal = Deal.objects.get()
    assert (contact.first_name, contact.last_name, contact.email) == (
        "Grace",
        "Hopper",
        "Grace@Example.com",
    )
    assert deal.name == "Payment Link"
    assert deal.stage == DealStage.WON
    assert (deal.amount, deal.currency) == (Decimal("138.00"), "USD")
    assert list(deal.contacts.all()) == [contact]
    assert [(i.name, i.quantity) for i in deal.line_items.all()] == [
        ("Widget", Decimal(2)),
        ("Support plan", Decimal(1)),
    ]
    assert (payment.amount, payment.fees_amount, payment.processor_payment_id) == (
        Decimal("138.00"),
        Decimal("4.27"),
        f"pi_test_{purchase.pk}",
    )
    assert payment.deal == deal
    assert payment.contact == contact
    purchase.refresh_from_db()
    assert (purchase.status, purchase.payment, purchase.deal, purchase.contact) == (
        PurchaseStatus.COMPLETED,
        payment,
        deal,
        contact,
    )
    # The receipt went to the buyer once (PAY-4).
    assert emails_about(payment).filter(kind=EmailKind.RECEIPT).count() == 1
    assert [m["To"] for m in smtp_server.messages] == ["Grace@Example.com"]


# SPEC PAY-6
def test_a_contact_with_the_same_email_in_another_case_is_reused(link, system):
    known = crm.create_contact(actor=system, firstname="Ada", email="ada@example.com")
    purchase = services.open_purchase(link, name="Someone Else", email="ADA@example.COM")
    payment = services.complete_purchase(paid(purchase))
    assert payment.contact == known
    assert Contact.objects.count() == 1
    assert payment.deal is not None
    assert list(payment.deal.contacts.all()) == [known]


# SPEC PAY-6
def test_the_limit_refuses_new_purchases_but_a_late_payment_still_counts(editor, widget):
    link = services.create_link(
        actor=editor,
        name="Two only",
        currency="USD",
        items=[ItemInput(widget.pk, 1)],
        payment_limit=1,
    )
    first = services.open_purchase(link, name="Ada", email="ada@example.com")
    second = services.open_purchase(link, name="Grace", email="grace@example.com")
    services.complete_purchase(paid(first))
    with pytest.raises(RuleViolation, match="reached its limit of 1 payments") as refused:
        services.open_purchase(link, name="Alan", email="alan@example.com")
    assert refused.value.code == "limit_reached"
    # Grace was already paying when the limit was reached: the money came.
    services.complete_purchase(paid(second))
    assert Deal.objects.filter(name="Payment Link").count() == 2
    assert services.payments_made(link) == 2


def test_an_unknown_purchase_is_refused(link):
    with pytest.raises(RuleViolation, match="does not exist"):
        services.complete_purchase(paid_session(reference="424242", amount=Decimal(1)))
