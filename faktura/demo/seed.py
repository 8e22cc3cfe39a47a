"""Demo data for the embedded mode: a small account with invoices in every state.

Everything is created through the services, so the demo's history reads like real use.
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from faktura.accounts.models import Role, User
from faktura.accounts.services import update_account_settings
from faktura.core.actors import Actor
from faktura.crm import services as crm
from faktura.crm.models import Company, Contact
from faktura.invoices import invoice_payments
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice
from faktura.invoices.properties import INVOICE
from faktura.listings.services import save_view
from faktura.listings.state import state_from_query
from faktura.payments import services as payments
from faktura.sales import services as sales
from faktura.workflows import services as workflows


@dataclass(frozen=True)
class Login:
    username: str
    password: str


def seed_demo(admin_username: str = "admin") -> Login:
    """Create the admin user and the demo account. Only for an empty database."""
    if User.objects.exists():
        raise RuntimeError("The database already has users; demo data is only for a new one.")
    password = secrets.token_urlsafe(12)
    actor = Actor.system("demo data")
    with transaction.atomic():
        admin = User.objects.create_superuser(
            admin_username, f"{admin_username}@faktura.local", password,
            role=Role.SUPER_ADMIN, first_name="Alex", last_name="Admin",
        )  # fmt: skip
        update_account_settings(
            actor=actor,
            company_name="Nordlys Consulting Inc.",
            company_address="100 Market Street\nSan Francisco, CA 94105",
            company_country="US",
            company_tax_id="US EIN 12-3456789",
            company_logo=(Path(__file__).parent / "logo.png").read_bytes(),
            company_bank_account="Bank of the West, routing 121100782, account 000123456789",
            payment_instructions="Pay by ACH or wire; put the invoice number in the reference.",
            default_from_email="billing@nordlys.example",
        )
        _seed_records(Actor.for_user(admin))
        _seed_views(Actor.for_user(admin))
        _seed_workflows(Actor.for_user(admin))
    return Login(admin_username, password)


def _seed_records(actor: Actor) -> None:
    acme = crm.create_company(actor=actor, name="Acme Corp", domain="acme.example", country="US")
    globex = crm.create_company(actor=actor, name="Globex", domain="globex.example", country="US")
    ada = crm.create_contact(
        actor=actor, firstname="Ada", lastname="Lovelace", email="ada@acme.example"
    )
    grace = crm.create_contact(
        actor=actor, firstname="Grace", lastname="Hopper", email="grace@globex.example"
    )
    crm.associate_contact_with_company(ada, acme, actor=actor)
    crm.associate_contact_with_company(grace, globex, actor=actor)
    audit = sales.create_product(
        actor=actor, name="Security audit", hs_sku="AUD-1", price="4800.00"
    )
    hour = sales.create_product(actor=actor, name="Consulting hour", hs_sku="CON-H", price="150.00")
    licence = sales.create_product(
        actor=actor, name="Annual licence", hs_sku="LIC-Y", price="1200.00", hs_tax_rate="8.625"
    )
    deal = sales.create_deal(
        actor=actor,
        dealname="Acme platform rollout",
        contacts=[ada],
        companies=[acme],
        lines=[{"product_id": audit.pk}, {"product_id": hour.pk, "quantity": "12"}],
    )
    quote = sales.create_quote(actor=actor, hs_title="Acme rollout quote", deal=deal)

    def invoice(
        contact: Contact, company: Company, lines: list[dict[str, Any]], **kw: Any
    ) -> Invoice:
        return invoices.create_draft_invoice(
            actor=actor, contacts=[contact], companies=[company], lines=lines, **kw
        )

    invoices.create_invoice_from_deal(deal, actor=actor)  # stays a draft
    unpaid = invoices.finalize_invoice(
        invoice(grace, globex, [{"product_id": licence.pk, "quantity": "3"}]), actor=actor
    )
    partly = invoices.finalize_invoice(
        invoice(ada, acme, [{"product_id": hour.pk, "quantity": "20", "discount_value": "10"}]),
        actor=actor,
    )
    invoice_payments.record_invoice_payment(
        partly, actor=actor, amount="1000.00", method="check", reference="Check 4411"
    )
    paid = invoices.finalize_invoice(invoice(ada, acme, [{"product_id": audit.pk}]), actor=actor)
    invoice_payments.record_invoice_payment(
        paid, actor=actor, amount=str(paid.total), reference="Wire 2026-11-02"
    )
    overdue = invoice(
        grace,
        globex,
        [{"product_id": hour.pk, "quantity": "4"}],
        values={
            "hs_invoice_date": timezone.localdate() - dt.timedelta(days=45),
            "hs_payment_terms": "net_30",
        },
    )
    invoices.finalize_invoice(overdue, actor=actor)
    voided = invoices.finalize_invoice(
        invoice(grace, globex, [{"product_id": audit.pk}]), actor=actor
    )
    invoices.void_invoice(voided, actor=actor)
    del unpaid
    _seed_invoice_history(actor, [audit, hour, licence])
    _seed_quickbooks_examples(actor, quote, grace, globex, [audit, hour])


def _seed_quickbooks_examples(
    actor: Actor, quote: Any, grace: Contact, globex: Company, products: list[Any]
) -> None:
    """What the demo's QuickBooks workflows act on when turned on (faktura.demo.quickbooks_demo):
    a won deal, a signed quote, a card payment with a fee, a card payment refunded in full."""
    audit, hour = products
    sales.create_deal(
        actor=actor,
        dealname="Globex security review",
        dealstage="closedwon",
        contacts=[grace],
        companies=[globex],
        lines=[{"product_id": audit.pk}, {"product_id": hour.pk, "quantity": "6"}],
    )
    sales.complete_quote_signature(quote, actor=actor)
    for key, quantity, fees, refunded in (
        ("pi_demo_card_paid", "10", "43.80", False),
        ("pi_demo_card_refunded", "1", "4.65", True),
    ):
        invoice = invoices.finalize_invoice(
            invoices.create_draft_invoice(
                actor=actor, contacts=[grace], companies=[globex],
                lines=[{"product_id": hour.pk, "quantity": quantity}],
            ),
            actor=actor,
        )  # fmt: skip
        payment, _created = payments.record_online_payment(
            actor=actor, processor_payment_id=key, amount=invoice.total, currency=invoice.currency,
            fees=fees, contact=grace,
        )  # fmt: skip
        invoice_payments.apply_payment_to_invoice(invoice, payment, actor=actor)
        if refunded:
            invoice_payments.refund_payment(payment, payment.amount, actor=actor)


# Customers for a few months of invoicing history, so index pages and filters have rows.
CUSTOMERS = [
    ("Initech", "initech.example", "Peter", "Gibbons"),
    ("Umbrella Health", "umbrella.example", "Alice", "Abernathy"),
    ("Stark Industries", "stark.example", "Pepper", "Potts"),
    ("Wayne Enterprises", "wayne.example", "Lucius", "Fox"),
    ("Hooli", "hooli.example", "Gavin", "Belson"),
]


def _seed_invoice_history(actor: Actor, products: list[Any]) -> None:
    today = timezone.localdate()
    for n in range(18):
        name, domain, first, last = CUSTOMERS[n % len(CUSTOMERS)]
        company = crm.create_company(
            actor=actor, name=name, domain=domain, country="US"
        ) if n < len(CUSTOMERS) else Company.objects.get(name=name)  # fmt: skip
        person = Contact.objects.filter(email=f"{first.lower()}@{domain}").first()
        if person is None:
            person = crm.create_contact(
                actor=actor, firstname=first, lastname=last, email=f"{first.lower()}@{domain}"
            )
            crm.associate_contact_with_company(person, company, actor=actor)
        product = products[n % len(products)]
        draft = invoices.create_draft_invoice(
            actor=actor,
            contacts=[person],
            companies=[company],
            lines=[{"product_id": product.pk, "quantity": str(1 + n % 4)}],
            values={
                "hs_invoice_date": today - dt.timedelta(days=7 * (18 - n)),
                "hs_payment_terms": "net_30",
                "hs_purchase_order_number": f"PO-{4100 + n}",
            },
        )
        invoice = invoices.finalize_invoice(draft, actor=actor)
        if n % 3 != 2:  # two in three customers have paid; the rest are open or overdue
            invoice_payments.record_invoice_payment(
                invoice, actor=actor, amount=str(invoice.total), reference=f"Wire {n + 1:03}"
            )


# Shared invoice views of the demo account: (name, the index page's query string).
DEMO_VIEWS = (
    (
        "Open invoices",
        "f=0:hs_invoice_status:any_of:open&sort=hs_due_date"
        "&cols=hs_number,hs_contacts,hs_balance_due,hs_due_date,hs_invoice_status",
    ),
    ("Drafts", "f=0:hs_invoice_status:any_of:draft&sort=-hs_createdate"),
)


def _seed_views(actor: Actor) -> None:
    for name, query in DEMO_VIEWS:
        state = state_from_query(INVOICE, QueryDict(query))
        save_view(state, actor=actor, name=name, shared=True)


# A deal workflow to look at and try: winning a deal asks its owner to invoice it.
DEMO_WORKFLOW = {
    "triggers": {
        "filters": [],
        "events": [{"event": "property_changed", "property": "dealstage", "to": "closedwon"}],
    },
    "re_enrollment": {"enabled": False, "properties": []},
    "steps": [
        {
            "id": "s1",
            "type": "create_task",
            "config": {
                "title": "Invoice {{ dealname }}",
                "body": "The deal is won: create and send its invoice.",
                "due_in_days": 2,
                "owner": "",
            },
        }
    ],
}


def _seed_workflows(actor: Actor) -> None:
    workflow = workflows.create_workflow(
        actor=actor, name="Won deals: invoice them", object_type="deal", definition=DEMO_WORKFLOW
    )
    workflows.publish_workflow(workflow, actor=actor)
    workflows.turn_on_workflow(workflow, actor=actor)
