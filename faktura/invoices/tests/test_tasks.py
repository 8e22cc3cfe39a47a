"""The task worker itself: a checkout's expiry runs as a deferred task in db_worker."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from faktura.core.actors import Actor
from faktura.invoices import checkout
from faktura.invoices.models import Checkout, CheckoutStatus


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_worker_expires_checkout_when_its_time_has_come(database_tasks, open_invoice):  # SPEC INV-9
    started = checkout.start_checkout(open_invoice, actor=Actor.system("buyer"))
    queued = DBTaskResult.objects.get(task_path__endswith="expire_checkout_task")
    assert queued.args_kwargs["args"] == [started.pk]
    assert queued.run_after == started.expires_at

    # Bring the expiry into the past so the worker may run it now.
    Checkout.objects.filter(pk=started.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    DBTaskResult.objects.filter(pk=queued.pk).update(
        run_after=timezone.now() - dt.timedelta(seconds=1)
    )
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    started.refresh_from_db()
    assert started.status == CheckoutStatus.EXPIRED
    result = DBTaskResult.objects.get(pk=queued.pk)
    assert result.status == "SUCCESSFUL"
    assert result.return_value == CheckoutStatus.EXPIRED


@pytest.mark.django_db(transaction=True)
def test_worker_leaves_checkout_open_when_run_early(database_tasks, open_invoice):  # SPEC INV-9
    started = checkout.start_checkout(open_invoice, actor=Actor.system("buyer"))
    assert checkout.expire_checkout(started.pk) == CheckoutStatus.OPEN
    started.refresh_from_db()
    assert started.status == CheckoutStatus.OPEN
