"""Delivery of outbound email: thin tasks, safe to run twice."""

from typing import Any

from django.tasks import task

from faktura.emails import services
from faktura.emails.models import EmailStatus, OutboundEmail


def deliver_and_schedule_retry(delivery_task: Any, email_id: int) -> OutboundEmail:
    """Deliver once; when the server should be asked again later, queue `delivery_task` for then."""
    email = services.deliver_email(email_id)
    if email.status == EmailStatus.RETRYING:
        if delivery_task.get_backend().supports_defer:
            delivery_task.using(run_after=email.next_attempt_at).enqueue(email.pk)
        else:  # a backend that cannot wait (tests' immediate backend) tries again at once
            delivery_task.enqueue(email.pk)
    return email


@task()
def deliver_email_task(email_id: int) -> str:
    return deliver_and_schedule_retry(deliver_email_task, email_id).status
