"""Delivery claims the email, commits, and only then talks to the mail server: a server that
accepts the connection and never answers holds no database lock and is given up on after the
timeout. A claim left by a worker that died is settled: sent again when the message never left,
failed with the reason when nobody can tell whether it arrived."""

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone

from faktura.core.outside import InsideTransaction
from faktura.crm import services as crm
from faktura.emails import services
from faktura.emails.models import EmailStatus, OutboundEmail
from faktura.emails.services import MAX_ATTEMPTS, Sender, recover_stale_deliveries

pytestmark = pytest.mark.django_db

LONG_AGO = dt.timedelta(hours=1)  # older than any claim's lease


@pytest.fixture
def undelivered(settings: Any) -> None:
    """Queued emails stay queued until the test delivers them (tasks are only recorded)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def queue(system: Any, contact: Any) -> OutboundEmail:
    return services.queue_email(
        actor=system,
        kind="one_to_one",
        about=contact,
        sender=Sender("team@nordlys.example"),
        to=["ada@example.com"],
        subject="Hello",
        text="Hi Ada!",
    )


def claimed(email: OutboundEmail, *, handed_over: bool, ago: dt.timedelta = LONG_AGO) -> None:
    """As a worker leaves it when it is killed after claiming (and maybe handing over)."""
    at = timezone.now() - ago
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENDING,
        attempts=1,
        claimed_at=at,
        handover_at=at if handed_over else None,
    )


@pytest.mark.django_db(transaction=True)
def test_a_silent_server_holds_no_lock_and_is_given_up_on_after_the_timeout(
    system, contact, silent_server, settings, undelivered
):
    settings.MAILERS = silent_server.mailer_settings(timeout=1)
    email = queue(system, contact)
    delivered: list[OutboundEmail] = []

    def worker() -> None:
        try:
            delivered.append(services.deliver_email(email.pk))
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert silent_server.accepted.wait(5), "the worker never connected"
        # The worker waits on the server; another connection writes meanwhile.
        other = crm.create_contact(actor=system, email="lin@example.com")
        email.refresh_from_db()
        assert (email.status, email.attempts, email.handover_at) == (EmailStatus.SENDING, 1, None)
    finally:
        thread.join(10)
    assert other.pk
    [email] = delivered
    assert email.status == EmailStatus.RETRYING
    assert email.last_error == "The mail server did not answer within 1 second."
    assert email.next_attempt_at is not None


def test_delivery_refuses_to_run_inside_a_transaction(system, contact, smtp_server, undelivered):
    email = queue(system, contact)
    with transaction.atomic(), pytest.raises(InsideTransaction, match="the mail server"):
        services.deliver_email(email.pk)
    assert smtp_server.messages == []


def test_a_recent_claim_is_left_to_the_worker_that_holds_it(
    system, contact, smtp_server, undelivered
):
    email = queue(system, contact)
    claimed(email, handed_over=True, ago=dt.timedelta(seconds=5))

    again = services.deliver_email(email.pk)

    assert (again.status, again.attempts) == (EmailStatus.SENDING, 1)
    assert smtp_server.messages == []
    assert recover_stale_deliveries() == 0


def test_an_abandoned_claim_before_the_handover_is_sent_again_once(
    system, contact, smtp_server, undelivered
):
    email = queue(system, contact)
    claimed(email, handed_over=False)

    again = services.deliver_email(email.pk)

    assert (again.status, again.attempts, again.last_error) == (EmailStatus.SENT, 2, "")
    assert len(smtp_server.messages) == 1
    assert services.deliver_email(email.pk).attempts == 2  # and only once
    assert len(smtp_server.messages) == 1


def test_an_abandoned_claim_after_the_handover_fails_with_the_reason(
    system, contact, smtp_server, undelivered
):
    email = queue(system, contact)
    claimed(email, handed_over=True)

    again = services.deliver_email(email.pk)

    assert again.status == EmailStatus.FAILED
    assert again.last_error == (
        "The worker stopped while handing this email to the mail server, so Faktura cannot "
        "tell whether it was delivered. Check with the recipient, or send it again."
    )
    assert smtp_server.messages == []  # never twice


def test_an_abandoned_last_attempt_fails_saying_the_server_never_had_it(
    system, contact, smtp_server, undelivered
):
    email = queue(system, contact)
    claimed(email, handed_over=False)
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=MAX_ATTEMPTS)

    again = services.deliver_email(email.pk)

    assert again.status == EmailStatus.FAILED
    assert "the server never received it" in again.last_error
    assert smtp_server.messages == []


def test_a_worker_slower_than_its_lease_still_records_what_the_server_answered(
    system, contact, smtp_server, undelivered
):
    email = queue(system, contact)
    slow = services._claim(email.pk, dt.timedelta(minutes=5))
    assert slow is not None
    assert services._hand_over(slow)
    claimed_at = slow.claimed_at
    assert claimed_at is not None
    # Its lease ran out meanwhile: the clock settled it as abandoned.
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=claimed_at - LONG_AGO)
    slow.claimed_at = claimed_at - LONG_AGO
    assert recover_stale_deliveries() == 1
    assert OutboundEmail.objects.get(pk=email.pk).status == EmailStatus.FAILED

    recorded = services._record_outcome(slow, None, 5)

    assert recorded.status == EmailStatus.SENT  # the server's answer wins over the guess


def test_the_clock_settles_abandoned_claims_and_queues_lost_emails_again(
    system, contact, grace, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    handed = queue(system, contact)
    claimed(handed, handed_over=True)
    never_left = queue(system, contact)
    claimed(never_left, handed_over=False)
    lost = queue(system, grace)  # its task row was pruned or failed: it waits forever
    OutboundEmail.objects.filter(pk=lost.pk).update(created_at=timezone.now() - LONG_AGO)
    waiting = queue(system, grace)  # just queued: its task will come
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    with django_capture_on_commit_callbacks(execute=True):  # as the clock's pass commits
        assert recover_stale_deliveries() == 3
    assert recover_stale_deliveries() == 0  # nothing is queued twice

    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert statuses == {
        handed.pk: EmailStatus.FAILED,
        never_left.pk: EmailStatus.SENT,
        lost.pk: EmailStatus.SENT,
        waiting.pk: EmailStatus.QUEUED,
    }
    assert len(smtp_server.messages) == 2


def test_the_embedded_outbox_delivers_without_a_timeout_of_its_own(
    system, contact, settings, tmp_path, undelivered
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    email = services.deliver_email(queue(system, contact).pk)
    assert (email.status, email.attempts) == (EmailStatus.SENT, 1)
    [written] = tmp_path.iterdir()
    assert "Subject: Hello" in written.read_text()


def test_the_record_page_shows_the_email_sending_then_why_it_failed(
    system, contact, smtp_server, undelivered, signed_in, viewer_user
):
    email = queue(system, contact)
    claimed(email, handed_over=True, ago=dt.timedelta(seconds=1))
    client = signed_in(viewer_user)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert 'data-email-status="sending"' in page
    assert ">Sending<" in page

    claimed(email, handed_over=True)
    services.deliver_email(email.pk)

    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert 'data-email-status="failed"' in page
    assert "so Faktura cannot tell whether it was delivered" in page
