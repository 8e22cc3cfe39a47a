"""`kill -9` of the task worker in the middle of each kind of background work (issue 13): an
email delivery, a PDF render, an export and a workflow step. After a new worker starts, each
is finished exactly once (or failed with a reason) and no task row or step stays RUNNING.

One worker after another shares the whole story, so each kill costs one process start: the
next worker recovers what the killed one left (faktura.workers.recovery), then meets the next
piece of work, and is killed in turn. A kill lands mid-work deterministically: the SMTP server
and the webhook receiver hold their answer, and the PDF and the export are caught while the
worker waits for a lock this test holds on the table it is about to write."""

import asyncio
import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from faktura.core.actors import Actor
from faktura.crm.models import Contact
from faktura.emails.models import EmailStatus, OutboundEmail
from faktura.emails.services import Sender, queue_email, recover_stale_deliveries
from faktura.invoices.models import InvoiceDocument
from faktura.listings import services as listings
from faktura.listings.models import Export, ExportStatus
from faktura.listings.tests.querying import state_for
from faktura.sales import services as sales
from faktura.workflows import engine
from faktura.workflows.models import Enrollment, EnrollmentStatus, StepRun, StepStatus
from faktura.workflows.tests.conftest import where
from faktura.workflows.tests.processes.conftest import note, read_whole_feed, webhook
from tests.processes import Processes, holding_writes
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db(transaction=True)

EXPORTED_ROWS = 2_500  # more than one progress chunk: the export writes while it runs


class HoldingSmtpServer(SmtpServer):
    """Holds its answer to the first RCPT until `release`: a worker killed then is mid-delivery,
    before the server has taken the message."""

    def __init__(self) -> None:
        super().__init__()
        self.held = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if not self.held.is_set():
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def holding_smtp() -> Any:
    server = HoldingSmtpServer()
    server.start()
    yield server
    server.release.set()
    server.stop()


def task_row(name: str) -> DBTaskResult:
    return DBTaskResult.objects.get(task_path__endswith=f".{name}")


def running(name: str) -> bool:
    return task_row(name).status == "RUNNING"


# Issue 13, item 5
def test_work_of_a_killed_worker_is_finished_once_after_restart(
    processes: Processes, holding_smtp, receiver, live_workflow, system, contact, admin_user,
    make_invoice, tmp_path: Path,
):  # fmt: skip
    processes.env |= {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(holding_smtp.port),
                      "SMTP_SECURITY": "none", "SMTP_TIMEOUT": "10"}  # fmt: skip

    # An email: killed while the mail server has not answered RCPT yet.
    email = queue_email(actor=system, kind="one_to_one", about=contact,
                        sender=Sender("team@nordlys.example"), to=[contact.email],
                        subject="Hello", text="Hi!")  # fmt: skip
    worker = processes.worker()
    processes.wait_until(holding_smtp.held.is_set, "the worker to reach the mail server")
    processes.kill(worker)
    holding_smtp.release.set()
    assert running("deliver_email_task")

    # A PDF: the next worker delivers the email again, then renders; killed before it stores.
    invoice = make_invoice(finalized=True)
    worker = processes.worker()
    processes.wait_until(lambda: running("render_invoice_pdf_task"), "the PDF to render")
    with holding_writes(InvoiceDocument._meta.db_table):
        assert not InvoiceDocument.objects.exists()
        processes.kill(worker)
    assert running("render_invoice_pdf_task")

    # An export: killed while it writes its rows.
    Contact.objects.bulk_create(
        Contact(first_name=f"Person {n}", email=f"p{n}@example.com") for n in range(EXPORTED_ROWS)
    )
    export = listings.start_export(
        state_for("contacts", ""), actor=Actor.for_user(admin_user), file_format="xlsx"
    )
    worker = processes.worker()
    processes.wait_until(
        lambda: Export.objects.get(pk=export.pk).status == ExportStatus.RUNNING, "the export"
    )
    with holding_writes(Export._meta.db_table):
        assert Export.objects.get(pk=export.pk).status == ExportStatus.RUNNING
        processes.kill(worker)
    assert running("run_export_task")

    # A workflow step: killed while the receiver holds its answer to the step's webhook.
    receiver.hold_first = True
    live_workflow("deal", [webhook("charge", f"{receiver.url}/charge"), note("after")],
                  filters=where("dealstage", "any_of", "closedwon"))  # fmt: skip
    sales.create_deal(actor=system, dealname="Engine", dealstage="closedwon")
    read_whole_feed()
    worker = processes.worker()
    processes.wait_until(receiver.held.is_set, "the webhook to reach the receiver")
    processes.kill(worker)
    receiver.release.set()
    step = StepRun.objects.get(step_id="charge")
    assert step.status == StepStatus.RUNNING

    # The last worker recovers the step's task row; the step itself waits for its claim
    # (engine.LEASE) to run out, as the clock then hands it out again: five minutes pass.
    processes.worker()
    processes.wait_until(lambda: not running("run_step_task"), "the step's task to be recovered")
    StepRun.objects.filter(pk=step.pk).update(claimed_until=timezone.now() - dt.timedelta(1))
    engine.recover_stale_steps()
    # The email's claim has its own lease (minutes past the SMTP timeout); the clock settles it.
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=timezone.now() - dt.timedelta(1))
    recover_stale_deliveries()
    enrollment = Enrollment.objects.get()
    processes.wait_until(
        lambda: Enrollment.objects.get(pk=enrollment.pk).status != EnrollmentStatus.ACTIVE,
        "the enrollment to finish",
    )
    processes.wait_until(
        lambda: not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists(),
        "every task to finish",
    )

    # Nothing is left running, and every piece of work was done once.
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()
    assert not StepRun.objects.filter(status=StepStatus.RUNNING).exists()
    email.refresh_from_db()
    # Killed after the message was handed over: Faktura cannot tell, so it fails, never twice.
    assert email.status == EmailStatus.FAILED
    assert "cannot tell whether it was delivered" in email.last_error
    assert len(holding_smtp.envelopes) == 0
    document = InvoiceDocument.objects.get(invoice=invoice)
    assert document.content
    assert document.error == ""
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert export.rows_done == Contact.objects.count()
    assert len(list((tmp_path / "files" / "exports").rglob("*.xlsx"))) == 1
    step.refresh_from_db()
    assert step.status == StepStatus.SUCCEEDED
    assert receiver.applied == [step.idempotency_key]
    assert StepRun.objects.get(step_id="after").status == StepStatus.SUCCEEDED
    assert Enrollment.objects.get().status == EnrollmentStatus.COMPLETED
