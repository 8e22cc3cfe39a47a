"""The seven QuickBooks actions in the workflow editor, in Chromium, as the seed describes them:
a super admin creates a workflow of the right object type, sets its trigger (deals named
"Payment Link": QB-8; quotes whose e-sign completed: QB-7; payment succeeded / fully refunded),
adds the action at the "+", configures it in the side panel with choices read live from the
connected company, saves, reviews and publishes, turns it on. A matching record then makes the
document in qbo_sandbox; the action log shows its QuickBooks id, the record's QuickBooks card
lists it with "Open in QuickBooks", and that page of the sandbox's company lists it too."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import models
from playwright.sync_api import Locator, Page, expect

from faktura.accounts.models import User
from faktura.accounts.services import user_locale
from faktura.core.actors import Actor
from faktura.core.locales import format_money_for_people, locale_for_people
from faktura.crm import services as crm
from faktura.invoices import invoice_payments
from faktura.invoices import services as invoices
from faktura.listings.tests.browsing import choose, filter_row
from faktura.payments import services as payments
from faktura.payments.models import Payment
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.models import QuickBooksConnection, QuickBooksDocument
from faktura.sales import services as sales
from faktura.workflows.models import StepRun, StepStatus
from faktura.workflows.tests.conftest import read_feed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEATS = [{"name": "Workshop seat", "unit_price": "250.00", "quantity": "2"}]


def htmx_idle(page: Page) -> None:
    """Wait until htmx has swapped and settled what it loaded: a select changed before the new
    content is processed sends nothing."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


# --- triggers, as the editor sets them -----------------------------------------------------------


def filter_trigger(
    label: str,
    name: str,
    operator: tuple[str, str],
    value: str = "",
    away: tuple[str, str] | None = None,
) -> Callable[[Page], str]:
    """One filter row: property, operator and (for "is any of") a value. A new row starts on
    the first property: `away` (label, name) is picked first then, so every pick redraws."""

    def set_filter(page: Page) -> str:
        page.get_by_role("button", name="Add filter").click()
        if away:
            choose(page, 0, *away)
        choose(page, 0, label, name, operator=operator)
        if value:
            htmx_idle(page)
            field = filter_row(page, 0).get_by_label("Value")
            field.fill(value)
            expect(field).to_have_value(value)
        expect(filter_row(page, 0)).to_have_attribute("data-operator", operator[1])
        return f"{label} {operator[0]} {value}".strip()

    return set_filter


def event_trigger(event: str) -> Callable[[Page], str]:
    def set_event(page: Page) -> str:
        # Events only: the form starts without filter rows, so nothing is in the way.
        expect(page.locator("[data-filter-row]")).to_have_count(0)
        page.get_by_role("button", name="Add event").click()
        htmx_idle(page)
        chosen = page.locator("[data-event-row]").get_by_label("Event", exact=True)
        chosen.select_option(label=event)
        expect(chosen.locator("option:checked")).to_have_text(event)
        return event

    return set_event


# --- the side panel's fields ------------------------------------------------------------------


def choose_company(panel: Locator, connection: QuickBooksConnection) -> None:
    htmx_idle(panel.page)
    panel.get_by_label("QuickBooks company").select_option(label=connection.company_name)
    htmx_idle(panel.page)


def create_products(panel: Locator) -> None:
    panel.get_by_role("group", name=re.compile("Create the product")).get_by_label(
        "Yes", exact=True
    ).check()


def company_and_products(panel: Locator, connection: QuickBooksConnection) -> list[str]:
    choose_company(panel, connection)
    create_products(panel)
    return [f"QuickBooks company: {connection.company_name}"]


def invoice_fields(panel: Locator, connection: QuickBooksConnection) -> list[str]:
    terms = panel.get_by_label("Payment terms")
    expect(terms.locator("option")).to_have_text(["The customer's terms"])  # no company yet
    choose_company(panel, connection)
    # The company's terms, read from QuickBooks when the company is chosen.
    expect(terms.locator("option")).to_have_text(
        ["The customer's terms", "Due on receipt", "Net 10", "Net 15", "Net 30", "Net 60"]
    )  # fmt: skip
    terms.select_option(label="Net 30")
    create_products(panel)
    return [f"QuickBooks company: {connection.company_name}", "Payment terms: Net 30"]


def expense_fields(panel: Locator, connection: QuickBooksConnection) -> list[str]:
    """Accounts and the vendor from the company's lists; the amount is the processing fee."""
    # The fee vendor, made in QuickBooks by the bookkeeper: the panel reads it live.
    vendor = {"DisplayName": "Stripe"}
    QuickBooksClient(connection).create("Vendor", vendor, request_id="test-vendor-stripe")
    choose_company(panel, connection)
    panel.get_by_label("Amount to book").select_option(label="Fees")
    panel.get_by_label("Payment account (bank or credit card)").select_option(label="Checking")
    panel.get_by_label("Expense account").select_option(label="Bank Charges")
    panel.get_by_label("Vendor").select_option(label="Stripe")
    return [f"QuickBooks company: {connection.company_name}", "Vendor: Stripe"]


def refund_fields(panel: Locator, connection: QuickBooksConnection) -> list[str]:
    choose_company(panel, connection)
    panel.get_by_label("Refund from account").select_option(label="Checking")
    create_products(panel)
    return [f"QuickBooks company: {connection.company_name}", "Refund from account: Checking"]


# --- the matching records, made through the services ------------------------------------------


def buyer(system: Actor) -> Any:
    return crm.create_contact(
        actor=system, firstname="Grace", lastname="Hopper", email="grace@example.com"
    )


def payment_link_deal(system: Actor) -> models.Model:
    """A deal from a payment-link checkout (QB-8)."""
    return sales.create_deal(
        actor=system, dealname="Payment Link", contacts=[buyer(system)], lines=SEATS
    )


def signed_quote(system: Actor) -> models.Model:
    """A quote the buyer e-signed (QB-7)."""
    deal = sales.create_deal(
        actor=system, dealname="Workshop", contacts=[buyer(system)], lines=SEATS
    )
    quote = sales.create_quote(actor=system, hs_title="Workshop quote", deal=deal)
    return sales.complete_quote_signature(quote, actor=system)


def invoice_paid_in_full(system: Actor) -> models.Model:
    """A manual payment of a finalized invoice's total: its lines are the payment's details."""
    invoice = invoices.create_draft_invoice(actor=system, lines=SEATS, contacts=[buyer(system)])
    invoice = invoices.finalize_invoice(invoice, actor=system)
    return invoice_payments.record_invoice_payment(invoice, actor=system, amount=invoice.total)


def card_payment_with_fee(system: Actor) -> Payment:
    payment, _created = payments.record_online_payment(
        actor=system, processor_payment_id="pi_workshop", amount="500.00", currency="USD",
        fees="14.80", contact=buyer(system),
    )  # fmt: skip
    return payment


def refunded_payment(system: Actor) -> models.Model:
    """A card payment refunded in full (its one line is "Payment": no invoice)."""
    payment = card_payment_with_fee(system)
    return payments.record_refund(payment, "500.00", actor=system)


@dataclass(frozen=True)
class Journey:
    action: str  # the side panel's label
    records: str  # "Records it enrolls"
    trigger: Callable[[Page], str]  # sets it in the form → its summary
    configure: Callable[[Locator, QuickBooksConnection], list[str]]  # → the card's summary
    record: Callable[[Actor], models.Model]
    path: str  # the record page's
    entities: tuple[str, ...]  # what it creates in QuickBooks
    total: str = "500.00"  # the first document's: the two workshop seats, or the fee


PAYMENT_LINK = filter_trigger(
    "Deal name",
    "dealname",
    ("is any of", "any_of"),
    "Payment Link",
    away=("Deal stage", "dealstage"),
)
ESIGNED = filter_trigger("E-sign completed signature", "hs_esign_date", ("is known", "known"))
JOURNEYS = {
    "invoice": Journey(
        "Create QuickBooks invoice", "Deals", PAYMENT_LINK, invoice_fields,
        payment_link_deal, "deals", ("Invoice",),
    ),
    "estimate": Journey(
        "Create QuickBooks estimate", "Quotes", ESIGNED, company_and_products,
        signed_quote, "quotes", ("Estimate",),
    ),
    "sales-receipt": Journey(
        "Create QuickBooks sales receipt", "Deals", PAYMENT_LINK, company_and_products,
        payment_link_deal, "deals", ("SalesReceipt",),
    ),
    "paid-invoice": Journey(
        "Create QuickBooks paid invoice", "Payments", event_trigger("Payment succeeded"),
        company_and_products, invoice_paid_in_full, "payments", ("Invoice", "Payment"),
    ),
    "payment-sales-receipt": Journey(
        "Create QuickBooks sales receipt from payment", "Payments",
        event_trigger("Payment succeeded"), company_and_products, invoice_paid_in_full,
        "payments", ("SalesReceipt",),
    ),
    "expense": Journey(
        "Create QuickBooks expense", "Payments", event_trigger("Payment succeeded"),
        expense_fields, card_payment_with_fee, "payments", ("Purchase",), "14.80",
    ),
    "refund-receipt": Journey(
        "Create QuickBooks refund receipt", "Payments", event_trigger("Payment fully refunded"),
        refund_fields, refunded_payment, "payments", ("RefundReceipt",),
    ),
}  # fmt: skip


def build_workflow(
    page: Page, base: str, journey: Journey, connection: QuickBooksConnection
) -> None:
    """Create, trigger, add the action at the "+", configure, save, publish and turn on."""
    page.goto(f"{base}/workflows/")
    page.get_by_role("link", name="Create workflow").click()
    dialog = page.locator("#dialog")
    dialog.get_by_label("Workflow name").fill(f"{journey.action} in QuickBooks")
    dialog.get_by_label("Records it enrolls").select_option(label=journey.records)
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_test_id("workflow-name")).to_contain_text(journey.action)

    page.get_by_role("button", name="Edit triggers").click()
    expect(page.locator("#trigger-form")).to_have_class(re.compile(r"\bshow\b"))
    summary = journey.trigger(page)
    page.get_by_role("button", name="Save triggers").click()
    expect(page.get_by_test_id("trigger-summary")).to_contain_text(summary)

    # The action, from the "QuickBooks Online" category of the side panel.
    page.get_by_role("button", name="Add a step at position 1").click()
    panel = page.locator("#step-panel")
    expect(panel).to_have_class(re.compile(r"\bshow\b"))
    panel.get_by_role("button").filter(has=page.get_by_text(journey.action, exact=True)).click()
    chosen = journey.configure(panel, connection)
    panel.get_by_role("button", name="Save").click()
    card = page.locator("[data-step]")
    expect(page.get_by_test_id("step-title")).to_have_text([journey.action])
    for line in chosen:
        expect(card).to_contain_text(line)

    page.get_by_role("link", name="Review and publish").click()
    expect(dialog.get_by_test_id("publish-changes")).to_contain_text(
        f"First version: {journey.action}"
    )
    dialog.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert").first).to_contain_text("Version 1 is published")
    page.get_by_role("link", name="Turn on").click()
    dialog.get_by_role("button", name="Turn on").click()
    expect(page.get_by_test_id("workflow-state")).to_have_text("On")


# SPEC QB-1
# SPEC QB-6
# SPEC QB-7
# SPEC QB-8
# SPEC QB-9
# SPEC QB-10
# SPEC QB-11
@pytest.mark.parametrize("name", JOURNEYS)
def test_build_a_quickbooks_action_and_watch_it_create_the_document(
    name: str,
    live_server: Any,
    sign_in: Any,
    admin_user: User,
    income: QuickBooksConnection,
) -> None:
    journey = JOURNEYS[name]
    qb = QuickBooksClient(income, max_wait=10)
    page = sign_in(admin_user)
    build_workflow(page, live_server.url, journey, income)

    # The matching record; the clock reads the feed and the step runs.
    record = journey.record(Actor.system("tests"))
    read_feed()
    done = StepRun.objects.get()
    assert done.status == StepStatus.SUCCEEDED, done.error
    created = list(QuickBooksDocument.objects.order_by("pk"))
    assert [document.entity for document in created] == list(journey.entities)
    assert created[0].total == Decimal(journey.total)
    for document in created:
        (found,) = qb.query(f"SELECT * FROM {document.entity}")
        assert found["Id"] == document.qbo_id
    if name == "invoice":
        assert qb.read("Invoice", created[0].qbo_id)["SalesTermRef"]["value"] == "3"  # Net 30

    # The action log shows the QuickBooks document(s).
    page.get_by_role("link", name=re.compile("Action logs")).click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(journey.action)
    expect(rows.first).to_contain_text("Succeeded")
    for document in created:
        expect(rows.first).to_contain_text(f"{document.entity} {document.qbo_id}")

    # The record's QuickBooks card lists them, each with "Open in QuickBooks".
    page.goto(f"{live_server.url}/{journey.path}/{record.pk}/")
    card = page.get_by_test_id("record-quickbooks")
    entries = card.locator("[data-quickbooks-document]")
    expect(entries).to_have_count(len(created))
    locale = user_locale(admin_user)
    for entry, document in zip(entries.all(), created, strict=True):
        title = f"{document.get_kind_display()} {document.doc_number}".strip()
        expect(entry).to_contain_text(title)
        with locale_for_people(locale):
            amount = format_money_for_people(document.total, document.currency)
        expect(entry).to_contain_text(amount)
        expect(entry).to_contain_text(f"In {income.company_name}")
    link = entries.first.get_by_role("link", name="Open in QuickBooks")
    target = link.get_attribute("href")
    assert target == f"{settings.QUICKBOOKS_APP_URL.rstrip('/')}/companies/{income.realm_id}"

    # Settings' "Open in QuickBooks" target, the sandbox's company page, lists them too.
    page.goto(target)
    for document in created:
        table = page.locator(f"xpath=//h2[.='{document.entity}']/following-sibling::table[1]")
        expect(
            table.locator("tr").filter(
                has=page.get_by_role("cell", name=document.qbo_id, exact=True)
            )
        ).to_have_count(1)
