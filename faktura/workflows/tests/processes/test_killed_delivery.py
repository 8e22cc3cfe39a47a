"""A db_worker killed (SIGKILL) in the middle of delivering an invoice email (issue 13): after
restart, the email is delivered exactly once, or failed with a reason a person can act on, and
the invoice's edit log says which (INV-32). Killed before the message left (the mail server had
not even greeted it): sent again, once. Killed after the server had the message but before it
answered: Faktura cannot tell whether it arrived, so it does not send it twice; it fails saying
so. The clock's pass settles the dead worker's claim once its lease has run out."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.emails.models import EmailStatus, OutboundEmail
from faktura.emails.services import STOPPED_DURING_HANDOVER, recover_stale_deliveries
from faktura.history.models import Entry
from faktura.invoices import sending
from faktura.invoices.models import Invoice

pytestmark = pytest.mark.django_db(transaction=True)


def smtp_env(port: int) -> dict[str, str]:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": "30",
    }


def send(invoice: Invoice, admin: Actor) -> OutboundEmail:
    return sending.send_invoice(
        invoice,
        actor=admin,
        to="buyer@example.com",
        from_address="billing@nordlys.example",
        subject=sending.default_subject(invoice),
        message=sending.default_message(invoice),
    )


def lease_runs_out(email: OutboundEmail) -> None:
    """As if the dead worker's claim were older than its lease (15 timeouts and a minute)."""
    OutboundEmail.objects.filter(pk=email.pk).update(
        claimed_at=timezone.now() - dt.timedelta(hours=1)
    )


def edit_log(invoice: Invoice) -> list[tuple[str, Any]]:
    entries = Entry.objects.for_object("invoice", invoice.pk).filter(event_type__contains="email")
    return [(e.event_type, e.data["reason"]) for e in entries]


def restart(processes: Any, email: OutboundEmail, smtp_port: int) -> None:
    """Once the dead worker's lease has run out, the clock's pass settles its claim and queues
    the email's task again; a new worker runs what is due."""
    lease_runs_out(email)
    assert recover_stale_deliveries() == 1  # what `workflows_clock` runs on each pass
    processes.env |= smtp_env(smtp_port)
    processes.work()


# SPEC INV-32
def test_killed_before_the_message_left_it_is_sent_again_once(
    processes, silent_server, smtp_server, open_invoice, account, admin
):
    account(default_from_email="billing@nordlys.example")
    processes.env |= smtp_env(silent_server.port)  # it connects, and is never greeted
    email = send(open_invoice, admin)
    worker = processes.worker()
    processes.wait_until(silent_server.accepted.is_set, "the worker to connect")
    processes.kill(worker)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.handover_at) == (EmailStatus.SENDING, 1, None)

    restart(processes, email, smtp_server.port)

    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert (email.attempts, email.last_error) == (2, "")
    [message] = smtp_server.messages
    assert message["Message-ID"] == email.message_id
    assert edit_log(open_invoice) == [("invoice.email_sent", "")]


# SPEC INV-32
def test_killed_while_the_server_had_the_message_it_fails_saying_so(
    processes, smtp_server, open_invoice, account, admin
):
    account(default_from_email="billing@nordlys.example")
    smtp_server.hold = True  # the message is in; the answer never comes
    processes.env |= smtp_env(smtp_server.port)
    email = send(open_invoice, admin)
    worker = processes.worker()
    processes.wait_until(smtp_server.received.is_set, "the message to reach the server")
    processes.kill(worker)
    smtp_server.release.set()
    email.refresh_from_db()
    assert email.status == EmailStatus.SENDING
    assert email.handover_at is not None

    restart(processes, email, smtp_server.port)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 1)
    assert email.last_error == STOPPED_DURING_HANDOVER
    assert edit_log(open_invoice) == [("invoice.email_failed", STOPPED_DURING_HANDOVER)]
    assert len(smtp_server.envelopes) <= 1  # never handed over a second time
