"""Background tasks of the invoice lifecycle: thin, safe to repeat."""

from django.tasks import task

from faktura.invoices import checkout


@task()
def expire_checkout_task(checkout_id: int) -> str:
    return checkout.expire_checkout(checkout_id)
