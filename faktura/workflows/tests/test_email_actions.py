"""“Send an internal email notification” and “Send an email to the record's contact” (WF-4),
delivered through a real SMTP server (aiosmtpd): what the recipients get, placeholders filled
from the record, the link to the record page, the workflow named as the sender in the record's
history, refusals in words, and no second email when a step runs again."""

import pytest

from faktura.accounts.models import User
from faktura.crm import services as crm
from faktura.emails.models import EmailStatus, OutboundEmail
from faktura.history.models import Entry
from faktura.payments import services as payments
from faktura.sales import services as sales
from faktura.workflows.models import StepRun, StepStatus
from faktura.workflows.registry import ActionError, action_types
from faktura.workflows.tests.conftest import KEY, WORKFLOW, read_feed, where
from faktura.workflows.tests.conftest import run_action as run

pytestmark = pytest.mark.django_db

DEFAULT_FROM = "billing@nordlys.example"
SITE = "https://faktura.nordlys.example"
NOTIFY = action_types.get("notify_users")
EMAIL_CONTACT = action_types.get("email_contact")


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """Run the delivery tasks queued inside the block, as the worker would after commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def default_from(account):
    account(default_from_email=DEFAULT_FROM, invoice_public_domain=SITE)


def text_of(message):
    """The plain-text body with the line endings the sender wrote (SMTP carries CRLF)."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


# --- Send an internal email notification ---------------------------------------------------------


# SPEC WF-4
def test_users_are_notified_with_placeholders_filled_and_a_link_to_the_record(
    deal, editor_user, admin_user, smtp_server, default_from, delivered
):
    with delivered():
        result = run(
            NOTIFY,
            deal,
            "deal",
            to="editor, Admin@Faktura.test",
            subject="{{ dealname }} is now {{ dealstage }}",
            body="Amount: {{ amount }}\nClose date: {{ closedate }}\n{{ no_such_property }}",
        )

    [message] = smtp_server.messages
    assert message["From"] == f"My Company <{DEFAULT_FROM}>"
    assert message["Subject"] == "Difference engine is now Appointment scheduled"
    assert smtp_server.recipients() == [["editor@faktura.test", "admin@faktura.test"]]
    text = text_of(message)
    assert text.startswith("Amount: 435.00 USD\nClose date: \n{{ no_such_property }}\n")
    assert f"Open the deal “Difference engine” in Faktura: {SITE}/deals/{deal.pk}/" in text
    assert f"Sent by the workflow “{WORKFLOW}”." in text

    email = OutboundEmail.objects.get()
    assert result == {
        "email_id": email.pk,
        "to": ["editor@faktura.test", "admin@faktura.test"],
        "subject": "Difference engine is now Appointment scheduled",
        "queued": True,
        "summary": "Email “Difference engine is now Appointment scheduled” queued to "
        "editor@faktura.test, admin@faktura.test.",
    }
    assert (email.kind, email.status) == ("workflow_notification", EmailStatus.SENT)
    assert (email.object_type, email.object_id) == ("deal", deal.pk)
    assert (email.actor_kind, email.actor_label) == ("workflow", WORKFLOW)
    event = Entry.objects.for_object("deal", deal.pk).get(event_type="deal.workflow_email_queued")
    assert (event.actor_kind, event.actor_label) == ("workflow", WORKFLOW)
    assert event.data["idempotency_key"] == KEY
    assert event.data["email_id"] == email.pk


# SPEC WF-4
def test_a_rerun_of_the_same_step_sends_no_second_notification(
    deal, editor_user, smtp_server, default_from, delivered
):
    config = {"to": "editor", "subject": "Deal {{ dealname }}", "body": "Have a look."}
    with delivered():
        first = run(NOTIFY, deal, "deal", **config)
    with delivered():
        again = run(NOTIFY, deal, "deal", **config)

    assert len(smtp_server.messages) == 1
    assert OutboundEmail.objects.count() == 1
    assert again["queued"] is False
    assert again["email_id"] == first["email_id"]
    assert again["summary"] == (
        "An earlier run of this step already queued “Deal Difference engine” to "
        "editor@faktura.test; no second email was sent."
    )

    with delivered():  # another step (another key) sends its own
        run(NOTIFY, deal, "deal", key="faktura-wf3-e8-s5", **config)
    assert len(smtp_server.messages) == 2


def test_a_notification_about_an_invoice_links_to_the_invoice_page(
    open_invoice, editor_user, smtp_server, default_from, delivered
):
    with delivered():
        run(
            NOTIFY,
            open_invoice,
            "invoice",
            to="editor@faktura.test",
            subject="Invoice {{ hs_number }} finalized",
            body="Balance due: {{ hs_balance_due }}, due {{ hs_due_date }}.",
        )

    [message] = smtp_server.messages
    assert message["Subject"] == f"Invoice {open_invoice.number} finalized"
    text = text_of(message)
    assert text.startswith("Balance due: 250.00 USD, due ")
    assert f"Faktura: {SITE}/invoices/{open_invoice.pk}/" in text


# SPEC WF-4
def test_unknown_and_inactive_users_are_named_and_nothing_is_sent(deal, editor_user, default_from):
    User.objects.create_user("gone", "gone@faktura.test", is_active=False)

    with pytest.raises(ActionError) as refused:
        run(
            NOTIFY,
            deal,
            "deal",
            to="editor, nobody, gone, ghost@example.com",
            subject="Hi",
            body="Hi",
        )

    assert refused.value.message == (
        "No active Faktura user has the username or email address nobody, gone, "
        "ghost@example.com. Change who the notification goes to, or add or reactivate the "
        "users in Settings, then retry this action."
    )
    assert refused.value.retryable is False
    assert not OutboundEmail.objects.exists()
    assert not Entry.objects.filter(event_type="deal.workflow_email_queued").exists()


def test_a_user_without_an_email_address_is_named(deal, default_from):
    User.objects.create_user("mailless", "")

    with pytest.raises(ActionError, match="These users have no email address: mailless."):
        run(NOTIFY, deal, "deal", to="mailless", subject="Hi", body="Hello")


# SPEC WF-4
def test_without_a_default_from_address_the_admin_is_told_where_to_set_it(
    deal, editor_user, smtp_server, account, delivered
):
    with pytest.raises(ActionError) as refused:
        run(NOTIFY, deal, "deal", to="editor", subject="Hi", body="Hello")

    assert refused.value.message == (
        "There is no address to send workflow emails from. A super admin can set the "
        "“Default from email” in Settings, then retry this action."
    )
    assert refused.value.retryable is False
    assert not OutboundEmail.objects.exists()

    account(default_from_email=DEFAULT_FROM)
    with delivered():  # retried with the same key once it is set: sent now
        run(NOTIFY, deal, "deal", to="editor", subject="Hi", body="Hello")
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    ("object_type", "config", "problem"),
    [
        ("deal", {"subject": "s", "body": "b"}, "“Send an internal email notification”: To is"),
        ("deal", {"to": "editor", "body": "b"}, "Subject is required."),
        ("deal", {"to": "editor", "subject": "s"}, "Message is required."),
        ("deal", {"to": " , ", "subject": "s", "body": "b"}, "name at least one user in “To”."),
        ("deal", {"to": "editor", "subject": "a\nb", "body": "b"}, "must be a single line."),
        ("deal", {"to": "editor", "subject": "s" * 301, "body": "b"}, "at most 300 characters"),
        ("line_item", {"to": "editor", "subject": "s", "body": "b"}, "cannot run on line_item"),
    ],
)
def test_notify_users_problems(object_type, config, problem):
    problems = NOTIFY.problems(object_type, config)

    assert len(problems) == 1, problems
    assert problem in problems[0]


def test_notify_users_runs_on_every_workflow_type():
    config = {"to": "editor", "subject": "{{ x }}", "body": "b"}
    for object_type in ("contact", "company", "deal", "quote", "invoice", "payment"):
        assert NOTIFY.problems(object_type, config) == []


# --- Send an email to the record's contact -------------------------------------------------------


# SPEC WF-4
def test_the_deals_first_contact_with_an_email_gets_the_email(
    system, company, grace, smtp_server, default_from, delivered
):
    no_email = crm.create_contact(actor=system, firstname="Charles", lastname="Babbage")
    deal = sales.create_deal(actor=system, dealname="Engine", contacts=[no_email, grace])

    with delivered():
        result = run(
            EMAIL_CONTACT,
            deal,
            "deal",
            subject="About {{ dealname }}",
            body="Hello,\n\nyour deal {{ dealname }} is {{ dealstage }}.",
        )

    [message] = smtp_server.messages
    assert smtp_server.recipients() == [["grace@example.com"]]
    assert message["From"] == f"My Company <{DEFAULT_FROM}>"
    assert message["Subject"] == "About Engine"
    text = text_of(message)
    assert text == "Hello,\n\nyour deal Engine is Appointment scheduled.\n"
    assert "/deals/" not in text  # staff pages are not linked for a customer
    email = OutboundEmail.objects.get()
    assert (email.kind, email.actor_kind, email.actor_label) == (
        "workflow_email",
        "workflow",
        WORKFLOW,
    )
    assert result["contact_id"] == grace.pk
    assert result["summary"] == "Email “About Engine” queued to grace@example.com."
    event = Entry.objects.for_object("deal", deal.pk).get(event_type="deal.workflow_email_queued")
    assert event.actor_kind == "workflow"


def test_a_contact_workflow_emails_the_contact_itself(
    contact, smtp_server, default_from, delivered
):
    with delivered():
        run(
            EMAIL_CONTACT,
            contact,
            "contact",
            subject="Hi {{ firstname }}",
            body="Dear {{ firstname }} {{ lastname }}",
        )

    [message] = smtp_server.messages
    assert smtp_server.recipients() == [["ada@example.com"]]
    assert message["Subject"] == "Hi Ada"
    assert text_of(message) == "Dear Ada Lovelace\n"


def test_an_invoice_email_goes_to_the_billing_contact_with_the_buyer_link(
    open_invoice, smtp_server, default_from, delivered
):
    with delivered():
        run(
            EMAIL_CONTACT,
            open_invoice,
            "invoice",
            subject="Invoice {{ hs_number }}",
            body="Pay {{ hs_balance_due }} at {{ hs_invoice_link }}",
        )

    [message] = smtp_server.messages
    assert smtp_server.recipients() == [["ada@example.com"]]
    assert message["Subject"] == f"Invoice {open_invoice.number}"
    assert text_of(message) == (f"Pay 250.00 USD at {SITE}/i/{open_invoice.public_token}/\n")


def test_a_quote_email_goes_to_its_first_contact(quote, smtp_server, default_from, delivered):
    with delivered():
        run(EMAIL_CONTACT, quote, "quote", subject="{{ hs_title }}", body="Your quote.")

    assert smtp_server.recipients() == [["ada@example.com"]]
    assert smtp_server.messages[0]["Subject"] == "Engine quote"


def test_a_payment_email_goes_to_the_payments_contact(
    system, contact, smtp_server, default_from, delivered
):
    payment = payments.create_manual_payment(
        actor=system, amount="50", currency="USD", contact=contact
    )

    with delivered():
        run(
            EMAIL_CONTACT,
            payment,
            "payment",
            subject="Thank you",
            body="We received {{ hs_initial_amount }} on {{ hs_initiated_date }}.",
        )

    assert smtp_server.recipients() == [["ada@example.com"]]
    assert text_of(smtp_server.messages[0]).startswith("We received 50.00 USD on ")


# SPEC WF-4
def test_a_rerun_sends_the_contact_no_second_email(deal, smtp_server, default_from, delivered):
    config = {"subject": "About {{ dealname }}", "body": "Hello"}
    with delivered():
        run(EMAIL_CONTACT, deal, "deal", **config)
    with delivered():
        again = run(EMAIL_CONTACT, deal, "deal", **config)

    assert len(smtp_server.messages) == 1
    assert OutboundEmail.objects.count() == 1
    assert again["queued"] is False


# SPEC WF-4
def test_no_contact_with_an_email_is_refused_in_words(system, default_from):
    no_email = crm.create_contact(actor=system, firstname="Charles", lastname="Babbage")
    deal = sales.create_deal(actor=system, dealname="Engine", contacts=[no_email])
    payment = payments.create_manual_payment(actor=system, amount="5", currency="USD")
    config = {"subject": "Hi", "body": "Hello"}

    with pytest.raises(ActionError) as refused:
        run(EMAIL_CONTACT, deal, "deal", **config)
    assert refused.value.message == (
        "The deal “Engine” has no associated contact with an email address, so no email was "
        "sent. Add a contact with an email address to the deal."
    )
    assert refused.value.retryable is False
    with pytest.raises(ActionError, match="The contact Charles Babbage has no email address"):
        run(EMAIL_CONTACT, no_email, "contact", **config)
    with pytest.raises(ActionError, match=f"Payment {payment.pk} has no contact with an email"):
        run(EMAIL_CONTACT, payment, "payment", **config)
    assert not OutboundEmail.objects.exists()


def test_emailing_a_contact_needs_a_default_from_address(contact):
    with pytest.raises(ActionError, match="There is no address to send workflow emails from"):
        run(EMAIL_CONTACT, contact, "contact", subject="Hi", body="Hello")


@pytest.mark.parametrize(
    ("object_type", "config", "problem"),
    [
        ("deal", {"body": "b"}, "“Send an email to the record's contact”: Subject is required."),
        ("deal", {"subject": "s"}, "Message is required."),
        ("deal", {"subject": "a\r\nb", "body": "b"}, "must be a single line."),
        ("company", {"subject": "s", "body": "b"}, "cannot run on company records"),
    ],
)
def test_email_contact_problems(object_type, config, problem):
    problems = EMAIL_CONTACT.problems(object_type, config)

    assert len(problems) == 1, problems
    assert problem in problems[0]


# --- in a running workflow -----------------------------------------------------------------------


# SPEC WF-4
def test_a_live_workflow_notifies_and_logs_the_email(
    live_workflow,
    system,
    editor_user,
    smtp_server,
    default_from,
    django_capture_on_commit_callbacks,
):
    live_workflow(
        "deal",
        [
            {
                "id": "s1",
                "type": "notify_users",
                "config": {"to": "editor", "subject": "Won: {{ dealname }}", "body": "Cheers!"},
            }
        ],
        filters=where("dealstage", "any_of", "closedwon"),
        name="Celebrate",
    )
    won = sales.create_deal(actor=system, dealname="Engine", dealstage="closedwon")

    with django_capture_on_commit_callbacks(execute=True):
        read_feed()

    [message] = smtp_server.messages
    assert message["Subject"] == "Won: Engine"
    assert "Sent by the workflow “Celebrate”." in text_of(message)
    step = StepRun.objects.get(enrollment__object_id=won.pk)
    assert step.status == StepStatus.SUCCEEDED
    assert step.result["summary"] == "Email “Won: Engine” queued to editor@faktura.test."
    assert step.result["email_id"] == OutboundEmail.objects.get().pk
