"""Outbound email through a real SMTP server (aiosmtpd): what the buyer's server receives, and
what Faktura records when the server refuses or is down. Nothing is lost either way."""

import pytest
from django.db import transaction

from faktura.core.errors import RuleViolation
from faktura.emails import services
from faktura.emails.models import EmailStatus, OutboundEmail
from faktura.emails.services import MAX_ATTEMPTS, Attachment, Sender

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a tiny stand-in document\n%%EOF\n"


def queue(system, contact, **overrides):
    fields = {
        "actor": system,
        "kind": "invoice",
        "about": contact,
        "sender": Sender("billing@nordlys.example", "Nordlys Billing"),
        "to": ["ada@example.com"],
        "cc": ["grace@example.com", "ADA@example.com", "lin@example.com"],
        "subject": "Invoice INV-7 from Nordlys",
        "text": "Hello Ada,\n\nYour invoice: https://billing.example/i/abc/\n",
        "html": '<p>Your invoice: <a href="https://billing.example/i/abc/">INV-7</a></p>',
        "attachments": [Attachment("INV-7.pdf", "application/pdf", PDF)],
    }
    return services.queue_email(**(fields | overrides))


def test_email_delivered_with_headers_bodies_and_attachment(
    system, contact, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(system, contact)
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.sent_at is not None
    [message] = smtp_server.messages
    assert message["From"] == "Nordlys Billing <billing@nordlys.example>"
    assert message["To"] == "ada@example.com"
    # The same address twice is sent once.
    assert message["Cc"] == "grace@example.com, lin@example.com"
    assert message["Reply-To"] == "billing@nordlys.example"
    assert message["Message-ID"] == email.message_id
    assert smtp_server.recipients() == [["ada@example.com", "grace@example.com", "lin@example.com"]]
    assert "https://billing.example/i/abc/" in message.get_body(("plain",)).get_content()
    assert 'href="https://billing.example/i/abc/"' in message.get_body(("html",)).get_content()
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "INV-7.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_nothing_is_queued_when_the_caller_rolls_back(system, contact, smtp_server):
    def send_then_fail() -> None:
        with transaction.atomic():
            queue(system, contact)
            raise RuntimeError("the send was refused further on")

    with pytest.raises(RuntimeError, match="refused further on"):
        send_then_fail()
    assert not OutboundEmail.objects.exists()
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("to", ["not-an-address"], "To: 'not-an-address' is not an email address"),
        ("to", [], "Add at least one recipient"),
        ("cc", ["grace@"], "CC: 'grace@' is not an email address"),
        ("subject", "Invoice\r\nBcc: everyone@example.com", "single line"),
        ("subject", "  ", "Give the email a subject"),
    ],
)
def test_bad_email_is_refused_before_anything_is_stored(system, contact, field, value, reason):
    with pytest.raises(RuleViolation, match=reason):
        queue(system, contact, **{field: value})
    assert not OutboundEmail.objects.exists()


def test_server_down_is_retried_then_failed_with_the_reason_and_the_email_kept(
    system, contact, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.stop()  # nothing listens on the port any more
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(system, contact)
    email.refresh_from_db()
    # The immediate test backend cannot wait, so every retry ran at once.
    assert email.attempts == MAX_ATTEMPTS
    assert email.status == EmailStatus.FAILED
    assert email.last_error.startswith("Could not reach the mail server:")
    assert "refused" in email.last_error.lower()
    assert email.attachments.get().content == PDF  # still there to send again


def test_temporary_refusal_is_retried_and_later_accepted(system, contact, smtp_server):
    smtp_server.answer = "451 4.3.0 Try again later"
    email = queue(system, contact)
    first = services.deliver_email(email.pk)
    assert first.status == EmailStatus.RETRYING
    assert first.last_error == "The mail server answered 451 4.3.0 Try again later"
    assert first.next_attempt_at is not None
    smtp_server.answer = "250 Message accepted for delivery"
    second = services.deliver_email(email.pk)
    assert (second.status, second.attempts, second.last_error) == (EmailStatus.SENT, 2, "")
    assert len(smtp_server.messages) == 1


def test_permanent_refusal_fails_at_once_with_the_servers_words(system, contact, smtp_server):
    smtp_server.answer = "554 5.7.1 Message rejected as spam"
    email = services.deliver_email(queue(system, contact).pk)
    assert email.status == EmailStatus.FAILED
    assert email.attempts == 1
    assert email.last_error == "The mail server answered 554 5.7.1 Message rejected as spam"


def test_delivering_a_sent_email_again_sends_nothing(system, contact, smtp_server):
    email = queue(system, contact)
    services.deliver_email(email.pk)
    again = services.deliver_email(email.pk)
    assert again.attempts == 1
    assert len(smtp_server.messages) == 1
