"""Background tasks of the invoice lifecycle: thin, safe to repeat."""

from django.tasks import task

from faktura.emails.tasks import deliver_and_schedule_retry
from faktura.invoices import checkout, documents, sending


@task()
def expire_checkout_task(checkout_id: int) -> str:
    return checkout.expire_checkout(checkout_id)


@task()
def deliver_invoice_email_task(email_id: int) -> str:
    """Deliver an invoice email; its last sent date follows the server's acceptance."""
    email = deliver_and_schedule_retry(deliver_invoice_email_task, email_id)
    sending.record_delivery(email)
    return email.status


@task()
def deliver_receipt_email_task(email_id: int) -> str:
    email = deliver_and_schedule_retry(deliver_receipt_email_task, email_id)
    sending.record_receipt_delivery(email)
    return email.status


@task()
def send_automatic_receipt_task(payment_id: int) -> str:
    return sending.send_automatic_receipt(payment_id)


@task()
def render_invoice_pdf_task(invoice_id: int) -> str:
    return documents.render_stored_pdf(invoice_id)
