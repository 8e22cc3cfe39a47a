"""Email delivery in the real worker: a server that says "try later" gets the email again after
the delay, as a deferred task row a person can read."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from faktura.emails.models import EmailStatus, OutboundEmail
from faktura.emails.services import Sender, queue_email


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_and_defers_a_retry_to_its_time(settings, system, contact, smtp_server):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    smtp_server.answer = "421 4.7.0 Too busy, come back later"
    queue_email(
        actor=system,
        kind="one_to_one",
        about=contact,
        sender=Sender("team@nordlys.example"),
        to=[contact.email],
        subject="Hello",
        text="Hi!",
    )
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    email = OutboundEmail.objects.get()
    assert email.status == EmailStatus.RETRYING
    assert email.last_error == "The mail server answered 421 4.7.0 Too busy, come back later"
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "SUCCESSFUL"
    assert first.return_value == EmailStatus.RETRYING
    assert retry.status == "READY"
    assert retry.run_after == email.next_attempt_at
