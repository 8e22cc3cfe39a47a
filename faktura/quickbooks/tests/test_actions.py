"""The QuickBooks workflow actions against qbo_sandbox, run by the workflow engine as the worker
would (steps inline): each of the seven creates its document, the editor's choices come from the
connected company, the account's country decides whether they are offered, and failures are
retried, failed or reconnected as QB-4, QB-12, QB-13 and QB-14 say."""

import datetime as dt
import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.invoices import invoice_payments
from faktura.invoices import services as invoices
from faktura.payments import services as payments
from faktura.quickbooks.actions import EXPENSE, INVOICE, PAID_INVOICE
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.models import QuickBooksConnection, QuickBooksDocument
from faktura.quickbooks.services import disconnect_company
from faktura.quickbooks.tests.conftest import connect
from faktura.sales import services as sales
from faktura.workflows import engine, services
from faktura.workflows.config_fields import FieldContext
from faktura.workflows.models import EnrollmentStatus, StepRun, StepStatus
from faktura.workflows.registry import action_types
from faktura.workflows.tests import conftest as workflow_tests
from faktura.workflows.tests.conftest import run_action, where

pytestmark = pytest.mark.django_db

# The workflow tests' fixtures: a published workflow that is on, and the feed read with its
# steps run inline as the clock and the worker would.
live_workflow = workflow_tests.live_workflow
run_feed = workflow_tests.run_feed

WON = where("dealstage", "any_of", "closedwon")
PLAIN = [{"name": "Setup fee", "unit_price": "150.00", "quantity": "1"}]


def step(kind: str, connection: QuickBooksConnection, **config: Any) -> dict[str, Any]:
    return {"id": "s1", "type": kind, "config": {"connection": str(connection.pk), **config}}


def won_deal(system: Actor, contact: Any, name: str = "Difference engine") -> Any:
    return sales.create_deal(
        actor=system,
        dealname=name,
        dealstage="closedwon",
        contacts=[contact],
        lines=[
            {"name": "Gear set", "unit_price": "120.00", "quantity": "3"},
            {"name": "Assembly", "unit_price": "60.00", "quantity": "1"},
        ],
    )


def the_step() -> StepRun:
    return StepRun.objects.select_related("enrollment").get(step_id="s1")


def inject(
    sandbox: Any,
    connection: QuickBooksConnection,
    kind: str,
    *,
    path: str = "invoice",
    count: int = 50,
    **more: Any,
) -> None:
    """The company's next `count` requests to `path` (by default: creating invoices) fail."""
    method = {} if path == "query" else {"method": "POST"}
    sandbox.control(
        "faults",
        {
            "kind": kind,
            "realm": connection.realm_id,
            "path": path,
            "count": count,
            **method,
            **more,
        },
    )


def in_quickbooks(qb: QuickBooksClient, entity: str) -> list[dict[str, Any]]:
    return qb.query(f"SELECT * FROM {entity}")


def paid_invoice_payment(system: Actor, contact: Any, lines: list[Any] | None = None) -> Any:
    """A payment that paid a finalized invoice in full (its lines are the payment's details)."""
    invoice = invoices.create_draft_invoice(actor=system, lines=lines or PLAIN, contacts=[contact])
    invoice = invoices.finalize_invoice(invoice, actor=system)
    return invoice_payments.record_invoice_payment(invoice, actor=system, amount=invoice.total)


# --- each action creates its document (QB-1, QB-9, QB-10, QB-11) -------------------------------


# SPEC QB-1
# SPEC QB-6
@pytest.mark.parametrize(
    ("kind", "entity"),
    [
        ("quickbooks_create_invoice", "Invoice"),
        ("quickbooks_create_estimate", "Estimate"),
        ("quickbooks_create_sales_receipt", "SalesReceipt"),
    ],
)
def test_a_deal_action_creates_its_document_and_the_log_shows_its_id(
    kind, entity, income, qb, live_workflow, run_feed, system, contact
):
    live_workflow("deal", [step(kind, income, create_products=True)], filters=WON)
    deal = won_deal(system, contact)

    run_feed()

    done = the_step()
    assert done.status == StepStatus.SUCCEEDED, done.error
    created = in_quickbooks(qb, entity)
    assert len(created) == 1
    assert done.result["quickbooks_id"] == created[0]["Id"]
    assert done.result["company"] == income.company_name
    assert done.result["total"] == "420.00 USD"
    assert Decimal(str(created[0]["TotalAmt"])) == Decimal("420.00")
    customer = qb.read("Customer", created[0]["CustomerRef"]["value"])
    assert customer["PrimaryEmailAddr"]["Address"] == "ada@example.com"
    document = QuickBooksDocument.objects.get()
    assert (document.object_type, document.object_id, document.qbo_id) == (
        "deal", deal.pk, created[0]["Id"]
    )  # fmt: skip


# SPEC QB-6
def test_the_invoice_carries_the_terms_chosen(income, qb, live_workflow, run_feed, system, contact):
    live_workflow(
        "deal", [step("quickbooks_create_invoice", income, terms="3", create_products=True)],
        filters=WON,
    )  # fmt: skip
    won_deal(system, contact)

    run_feed()

    assert the_step().status == StepStatus.SUCCEEDED, the_step().error
    (invoice,) = in_quickbooks(qb, "Invoice")
    assert invoice["SalesTermRef"]["value"] == "3"  # Net 30


# SPEC QB-9
def test_a_payment_makes_a_paid_invoice(income, qb, live_workflow, run_feed, system, contact):
    live_workflow(
        "payment",
        [step("quickbooks_create_paid_invoice", income, create_products=True)],
        events=[{"event": "payment_succeeded"}],
    )
    paid_invoice_payment(system, contact)

    run_feed()

    done = the_step()
    assert done.status == StepStatus.SUCCEEDED, done.error
    (invoice,) = in_quickbooks(qb, "Invoice")
    (payment,) = in_quickbooks(qb, "Payment")
    assert Decimal(str(invoice["Balance"])) == 0
    assert payment["Line"][0]["LinkedTxn"][0]["TxnId"] == invoice["Id"]
    assert f"Invoice {invoice['Id']}" in done.result["documents"]
    assert f"Payment {payment['Id']}" in done.result["documents"]


# SPEC QB-9
def test_a_paid_invoice_is_refused_for_taxable_lines_with_the_reason(
    income, qb, live_workflow, run_feed, system, contact
):
    live_workflow(
        "payment",
        [step("quickbooks_create_paid_invoice", income, create_products=True)],
        events=[{"event": "payment_succeeded"}],
    )
    taxed = [{"name": "Setup fee", "unit_price": "100.00", "quantity": "1", "tax_rate": "25"}]
    paid_invoice_payment(system, contact, taxed)

    run_feed()

    failed = the_step()
    assert failed.status == StepStatus.FAILED
    assert "The line “Setup fee” is taxed" in failed.error
    assert in_quickbooks(qb, "Invoice") == []


# SPEC QB-9
def test_a_payment_makes_a_sales_receipt(income, qb, live_workflow, run_feed, system, contact):
    live_workflow(
        "payment",
        [step("quickbooks_create_payment_sales_receipt", income, create_products=True)],
        events=[{"event": "payment_succeeded"}],
    )
    paid_invoice_payment(system, contact)

    run_feed()

    done = the_step()
    assert done.status == StepStatus.SUCCEEDED, done.error
    (receipt,) = in_quickbooks(qb, "SalesReceipt")
    assert done.result["quickbooks_id"] == receipt["Id"]
    assert Decimal(str(receipt["TotalAmt"])) == Decimal("150.00")


# SPEC QB-10
def test_a_payment_fee_becomes_an_expense_on_the_accounts_chosen(
    connection, qb, live_workflow, run_feed, system, contact
):
    vendor = qb.create("Vendor", {"DisplayName": "Stripe"}, request_id="test-vendor-stripe")
    live_workflow(
        "payment",
        [step("quickbooks_create_expense", connection, payment_account="35",
              expense_account="8", vendor=vendor["Id"])],
        events=[{"event": "payment_succeeded"}],
    )  # fmt: skip
    payments.record_online_payment(
        actor=system, processor_payment_id="pi_fee_1", amount="100.00", currency="USD",
        fees="3.20", contact=contact,
    )  # fmt: skip

    run_feed()

    done = the_step()
    assert done.status == StepStatus.SUCCEEDED, done.error
    (expense,) = in_quickbooks(qb, "Purchase")
    assert Decimal(str(expense["TotalAmt"])) == Decimal("3.20")
    assert expense["AccountRef"]["value"] == "35"  # Checking
    assert expense["EntityRef"]["value"] == vendor["Id"]
    assert expense["Line"][0]["AccountBasedExpenseLineDetail"]["AccountRef"]["value"] == "8"
    assert done.result["quickbooks_id"] == expense["Id"]


# SPEC QB-10
def test_an_expense_without_accounts_or_defaults_fails_saying_what_to_set(
    connection, qb, live_workflow, run_feed, system, contact
):
    live_workflow(
        "payment",
        [step("quickbooks_create_expense", connection)],
        events=[{"event": "payment_succeeded"}],
    )
    payments.record_online_payment(
        actor=system, processor_payment_id="pi_fee_3", amount="100.00", currency="USD",
        fees="3.20", contact=contact,
    )  # fmt: skip

    run_feed()

    failed = the_step()
    assert failed.status == StepStatus.FAILED
    assert "Settings → QuickBooks" in failed.error
    assert in_quickbooks(qb, "Purchase") == []


# SPEC QB-10
def test_an_expense_can_book_another_amount_property(connection, qb, system, contact):
    vendor = qb.create("Vendor", {"DisplayName": "Bank"}, request_id="test-vendor-bank")
    payment, _created = payments.record_online_payment(
        actor=system, processor_payment_id="pi_fee_2", amount="80.00", currency="USD",
        fees="2.00", contact=contact,
    )  # fmt: skip

    result = run(EXPENSE, payment, "payment", connection=str(connection.pk),
                 amount_property="hs_initial_amount", payment_account="41",
                 expense_account="7", vendor=vendor["Id"])  # fmt: skip

    expense = qb.read("Purchase", result["quickbooks_id"])
    assert Decimal(str(expense["TotalAmt"])) == Decimal("80.00")
    assert expense["PaymentType"] == "CreditCard"  # paid from Mastercard


# SPEC QB-11
def test_a_fully_refunded_payment_makes_a_refund_receipt(
    income, qb, live_workflow, run_feed, system, contact
):
    payment = paid_invoice_payment(system, contact)
    live_workflow(
        "payment",
        [step("quickbooks_create_refund_receipt", income, refund_account="35",
              create_products=True)],
        events=[{"event": "payment_refunded"}],
    )  # fmt: skip
    invoice_payments.refund_payment(payment, "150.00", actor=system)

    run_feed()

    done = the_step()
    assert done.status == StepStatus.SUCCEEDED, done.error
    (refund,) = in_quickbooks(qb, "RefundReceipt")
    assert Decimal(str(refund["TotalAmt"])) == Decimal("150.00")
    assert refund["DepositToAccountRef"]["value"] == "35"
    assert done.result["quickbooks_id"] == refund["Id"]


# --- triggers of the seed (QB-7, QB-8) ------------------------------------------------------------


# SPEC QB-7
def test_a_signed_quote_enrolls_and_makes_an_estimate(
    income, qb, live_workflow, run_feed, system, contact
):
    live_workflow(
        "quote",
        [step("quickbooks_create_estimate", income, create_products=True)],
        filters=where("hs_esign_date", "known"),
    )
    deal = won_deal(system, contact)
    signed = sales.create_quote(actor=system, hs_title="Engine quote", deal=deal)
    run_feed()
    assert not StepRun.objects.exists()  # not signed yet

    sales.complete_quote_signature(signed, actor=system)
    run_feed()

    done = the_step()
    assert done.status == StepStatus.SUCCEEDED, done.error
    (estimate,) = in_quickbooks(qb, "Estimate")
    assert done.result["quickbooks_id"] == estimate["Id"]
    assert QuickBooksDocument.objects.get().object_type == "quote"


# SPEC QB-8
def test_a_payment_link_deal_enrolls_and_makes_an_invoice(
    income, qb, live_workflow, run_feed, system, contact
):
    live_workflow(
        "deal",
        [step("quickbooks_create_invoice", income, create_products=True)],
        filters=where("dealname", "any_of", "Payment Link"),
    )
    won_deal(system, contact, name="Another deal")
    won_deal(system, contact, name="Payment Link")

    run_feed()

    assert StepRun.objects.count() == 1
    assert the_step().status == StepStatus.SUCCEEDED, the_step().error
    assert len(in_quickbooks(qb, "Invoice")) == 1


# --- availability and the editor's choices (QB-2, QB-6) ------------------------------------------


@pytest.fixture
def admin_client(signed_in, admin_user):
    return signed_in(admin_user)


def draft_workflow(admin: Actor, object_type: str = "deal", steps: list[Any] | None = None) -> Any:
    return services.create_workflow(
        actor=admin,
        name="QuickBooks invoices",
        object_type=object_type,
        definition={"triggers": {"filters": WON, "events": []}, "steps": steps or []},
    )


def options_of(content: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', content, re.S)
    assert select, f"no select {name}"
    return [html.unescape(o) for o in re.findall(r"<option[^>]*>([^<]*)</option>", select[1])]


NOT_IN_THE_US = (
    "the QuickBooks actions are offered only for accounts whose company is in the United "
    "States, and this account's company country is NO. A super admin can change it in "
    "Settings → Account settings (Company country)."
)


# SPEC QB-2
def test_outside_the_us_the_actions_are_not_offered_and_the_editor_says_why(
    admin_client, admin, account, connection
):
    draft = draft_workflow(admin)
    listing = f"/workflows/{draft.pk}/steps/new/?where=&index=0"
    assert 'data-step-type="quickbooks_create_invoice"' in admin_client.get(listing).text
    assert not INVOICE.problems("deal", {"connection": str(connection.pk)})

    account(company_country="NO")

    listed = html.unescape(admin_client.get(listing).text)
    assert 'type=quickbooks_create_invoice"' not in listed  # greyed out: nothing to click
    assert f"Not available: {NOT_IN_THE_US}" in " ".join(listed.split())
    for name in [t for t in action_types.names() if t.startswith("quickbooks_")]:
        assert action_types.get(name).unavailable() == (
            f"“{action_types.get(name).label}” is not available: {NOT_IN_THE_US}"
        )
    assert INVOICE.problems("deal", {"connection": str(connection.pk)}) == [
        f"“Create QuickBooks invoice” is not available: {NOT_IN_THE_US}"
    ]


# SPEC QB-2
def test_a_step_whose_account_left_the_us_fails_without_calling_quickbooks(
    income, sandbox, live_workflow, run_feed, system, contact, account
):
    live_workflow("deal", [step("quickbooks_create_invoice", income)], filters=WON)
    account(company_country="NO")
    before = len(sandbox.traffic()["started"].get(income.realm_id, []))
    won_deal(system, contact)

    run_feed()

    failed = the_step()
    assert failed.status == StepStatus.FAILED
    assert NOT_IN_THE_US in failed.error
    assert len(sandbox.traffic()["started"].get(income.realm_id, [])) == before


# SPEC QB-6
def test_the_editor_offers_the_connected_companies_and_their_terms_live(
    admin_client, admin, sandbox, connection, qb
):
    other = connect(sandbox, admin, company_name="Second Books LLC")
    url = f"/workflows/{draft_workflow(admin).pk}/steps/new/?where=&index=0"
    url += "&type=quickbooks_create_invoice"

    form = admin_client.get(url).text
    assert options_of(form, "cfg-connection") == [
        "Choose…", connection.company_name, "Second Books LLC"
    ]  # fmt: skip
    assert options_of(form, "cfg-terms") == ["The customer's terms"]  # no company yet

    qb.create("Term", {"Name": "Net 45", "DueDays": 45}, request_id="test-term-net45")
    drawn = admin_client.post(url, {"cfg-connection": str(connection.pk), "redraw": "fields"})
    assert options_of(drawn.text, "cfg-terms") == [
        "The customer's terms", "Due on receipt", "Net 10", "Net 15", "Net 30", "Net 45",
        "Net 60",
    ]  # fmt: skip
    # The other company's terms are its own (it has no Net 45).
    drawn = admin_client.post(url, {"cfg-connection": str(other.pk), "redraw": "fields"})
    assert "Net 45" not in options_of(drawn.text, "cfg-terms")


# SPEC QB-14
def test_a_company_that_needs_reconnecting_is_marked_and_its_terms_say_why(
    admin, sandbox, connection
):
    sandbox.control("tokens/revoke", {"realmId": connection.realm_id})
    sandbox.control("tokens/expire", {"realmId": connection.realm_id})
    context = FieldContext("deal", {"connection": str(connection.pk)})
    terms = context.options(INVOICE.fields[1])
    connection.refresh_from_db()

    assert "Reconnect QuickBooks" in terms.error
    assert context.options(INVOICE.fields[0]).choices == (
        (str(connection.pk), f"{connection.company_name} (needs reconnecting)"),
    )


# SPEC QB-6
def test_without_a_connected_company_the_editor_says_to_connect_one(admin_client, admin, db):
    url = f"/workflows/{draft_workflow(admin).pk}/steps/new/?where=&index=0"
    form = html.unescape(admin_client.get(url + "&type=quickbooks_create_invoice").text)
    assert "Connect a QuickBooks company in Settings → QuickBooks first." in form


# SPEC QB-6
# SPEC QB-10
def test_the_expense_accounts_and_vendors_come_from_the_company(admin, sandbox, connection, qb):
    qb.create("Vendor", {"DisplayName": "Stripe"}, request_id="test-vendor-stripe")
    context = FieldContext("payment", {"connection": str(connection.pk)})
    offered = {f.name: context.options(f) for f in EXPENSE.fields}

    assert offered["payment_account"].choices == (("35", "Checking"), ("41", "Mastercard"))
    assert offered["expense_account"].choices == (("7", "Advertising"), ("8", "Bank Charges"))
    assert [label for _id, label in offered["vendor"].choices] == ["Stripe"]
    # Left empty, each uses the company's default, and the editor says so.
    assert EXPENSE.fields[2].blank_label == "The company's default (Settings → QuickBooks)"
    assert ("hs_fees_amount", "Fees") in offered["amount_property"].choices


# SPEC QB-10
def test_the_expense_panel_reads_the_accounts_once_for_its_three_account_fields(
    sandbox, connection
):
    def requests() -> int:
        return len(sandbox.traffic()["started"].get(connection.realm_id, []))

    before = requests()
    context = FieldContext("payment", {"connection": str(connection.pk)})
    for config_field in EXPENSE.fields:
        context.options(config_field)
    assert requests() - before == 2  # the accounts once (not once per field), the vendors once


# SPEC QB-6
# SPEC QB-12
def test_terms_that_cannot_be_read_are_said_on_the_field_and_at_publish(admin, sandbox, connection):
    config = {"connection": str(connection.pk), "terms": "3"}
    assert INVOICE.problems("deal", config) == []
    sandbox.control(
        "faults",
        {
            "kind": "error",
            "status": 500,
            "count": 20,
            "path": "query",
            "realm": connection.realm_id,
        },
    )

    problems = INVOICE.problems("deal", config)

    assert len(problems) == 1
    assert problems[0].startswith(
        "“Create QuickBooks invoice”: Payment terms: Could not read the payment terms from "
        "QuickBooks: Searching QuickBooks: QuickBooks had a server error (500"
    )


# --- failures (QB-4, QB-12, QB-13, QB-14) --------------------------------------------------------


# SPEC QB-4
def test_an_unmatched_line_item_fails_the_step_and_the_log_names_it(
    income, qb, live_workflow, run_feed, system, contact
):
    live_workflow(
        "deal", [step("quickbooks_create_invoice", income, create_products=False)], filters=WON
    )
    won_deal(system, contact)

    run_feed()

    failed = the_step()
    assert failed.status == StepStatus.FAILED
    assert "Gear set" in failed.error
    assert failed.run_after is None or failed.attempts == 1  # not retried
    assert in_quickbooks(qb, "Invoice") == []


# SPEC QB-4
def test_with_create_products_the_missing_items_are_created_first(
    income, qb, live_workflow, run_feed, system, contact
):
    live_workflow(
        "deal", [step("quickbooks_create_invoice", income, create_products=True)], filters=WON
    )
    won_deal(system, contact)

    run_feed()

    assert the_step().status == StepStatus.SUCCEEDED, the_step().error
    names = {i["Name"] for i in in_quickbooks(qb, "Item")}
    assert {"Gear set", "Assembly"} <= names
    (invoice,) = in_quickbooks(qb, "Invoice")
    assert len([line for line in invoice["Line"] if "SalesItemLineDetail" in line]) == 2


# SPEC QB-12
def test_a_validation_fault_is_not_retried_and_says_what_quickbooks_said(
    income, qb, live_workflow, run_feed, system, contact
):
    live_workflow(
        "deal", [step("quickbooks_create_invoice", income, terms="3", create_products=True)],
        filters=WON,
    )  # fmt: skip
    # The bookkeeper made the chosen term inactive after the workflow was published.
    term = qb.read("Term", "3")
    qb.update("Term", {"Id": "3", "SyncToken": term["SyncToken"], "Active": False},
              request_id="test-term-3-off")  # fmt: skip

    won_deal(system, contact)
    run_feed()

    failed = the_step()
    assert failed.status == StepStatus.FAILED
    assert failed.attempts == 1
    assert "QuickBooks said: Object Not Found" in failed.error
    assert in_quickbooks(qb, "Invoice") == []


# SPEC QB-12
def test_throttling_is_retried_at_the_time_quickbooks_asks(
    income, sandbox, qb, live_workflow, run_feed, system, contact
):
    live_workflow(
        "deal", [step("quickbooks_create_invoice", income, create_products=True)], filters=WON
    )
    inject(sandbox, income, "throttle", count=1, retry_after=300)
    won_deal(system, contact)
    asked_at = timezone.now()

    run_feed()

    retrying = the_step()
    assert retrying.status == StepStatus.RETRYING
    assert "slow down" in retrying.error
    # QuickBooks' Retry-After (5 minutes), not the policy's first wait (1 minute).
    assert retrying.run_after is not None
    assert retrying.run_after >= asked_at + dt.timedelta(seconds=295)
    assert not QuickBooksDocument.objects.exists()


# SPEC QB-12
# SPEC QB-13
def test_server_errors_are_retried_and_the_retry_makes_one_document(
    income,
    sandbox,
    qb,
    live_workflow,
    run_feed,
    system,
    contact,
    django_capture_on_commit_callbacks,
):
    live_workflow(
        "deal", [step("quickbooks_create_invoice", income, create_products=True)], filters=WON
    )
    inject(sandbox, income, "error", status=503)
    won_deal(system, contact)

    run_feed()

    retrying = the_step()
    assert retrying.status == StepStatus.RETRYING
    assert "server error (503" in retrying.error
    assert retrying.run_after is not None
    sandbox.clear_faults()
    with django_capture_on_commit_callbacks(execute=True):
        engine.run_step(retrying.pk, now=retrying.run_after)

    assert the_step().status == StepStatus.SUCCEEDED
    assert len(in_quickbooks(qb, "Invoice")) == 1


# SPEC QB-13
def test_retry_after_answers_that_never_arrived_makes_exactly_one_document(
    income, sandbox, qb, admin, settings, live_workflow, run_feed, system, contact,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    live_workflow(
        "deal", [step("quickbooks_create_invoice", income, create_products=True)], filters=WON
    )
    # QuickBooks commits each invoice create a second late, after Faktura stopped waiting.
    settings.QUICKBOOKS_TIMEOUT = 0.5
    inject(sandbox, income, "latency", seconds=1)
    won_deal(system, contact)
    run_feed()
    retrying = the_step()
    assert retrying.status == StepStatus.RETRYING
    assert "did not answer" in retrying.error
    # Still unanswered when the automatic retries run out: the step fails.
    with django_capture_on_commit_callbacks(execute=True):
        engine.run_step(retrying.pk, now=timezone.now() + dt.timedelta(days=4))
    failed = the_step()
    assert failed.status == StepStatus.FAILED
    sandbox.clear_faults()
    settings.QUICKBOOKS_TIMEOUT = 10

    with django_capture_on_commit_callbacks(execute=True):
        services.retry_step_run(failed, actor=admin)

    done = the_step()
    assert done.status == StepStatus.SUCCEEDED, done.error
    assert done.enrollment.status == EnrollmentStatus.COMPLETED
    (invoice,) = in_quickbooks(qb, "Invoice")
    assert done.result["quickbooks_id"] == invoice["Id"]
    assert QuickBooksDocument.objects.count() == 1


# SPEC QB-14
def test_a_revoked_connection_fails_with_reconnect_and_retry_works_after_reconnecting(
    income, sandbox, qb, admin, live_workflow, run_feed, system, contact,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    live_workflow(
        "deal", [step("quickbooks_create_invoice", income, create_products=True)], filters=WON
    )
    sandbox.control("tokens/revoke", {"realmId": income.realm_id})
    won_deal(system, contact)

    run_feed()

    failed = the_step()
    assert failed.status == StepStatus.FAILED
    assert "Reconnect QuickBooks" in failed.error
    assert failed.attempts == 1  # not retried automatically: waiting will not reconnect it

    connect(sandbox, admin, realm_id=income.realm_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_step_run(failed, actor=admin)

    done = the_step()
    assert done.status == StepStatus.SUCCEEDED, done.error
    assert len(in_quickbooks(qb, "Invoice")) == 1


# SPEC QB-14
def test_a_disconnected_company_fails_the_step_with_reconnect(
    income, admin, system, contact, live_workflow, run_feed
):
    live_workflow("deal", [step("quickbooks_create_invoice", income)], filters=WON)
    disconnect_company(income, actor=admin)
    won_deal(system, contact)

    run_feed()

    failed = the_step()
    assert failed.status == StepStatus.FAILED
    assert failed.error.startswith("Reconnect QuickBooks: ")
    assert "disconnected" in failed.error


# --- running an action directly -----------------------------------------------------------------


def run(action: Any, record: Any, object_type: str, **config: Any) -> dict[str, Any]:
    return dict(run_action(action, record, object_type, **config))


# SPEC QB-13
def test_the_same_step_run_twice_returns_the_first_document(income, qb, system, contact):
    payment = paid_invoice_payment(system, contact)
    config = {"connection": str(income.pk), "create_products": True}

    first = run(PAID_INVOICE, payment, "payment", **config)
    second = run(PAID_INVOICE, payment, "payment", **config)

    assert first == second
    assert len(in_quickbooks(qb, "Invoice")) == 1
    assert len(in_quickbooks(qb, "Payment")) == 1
