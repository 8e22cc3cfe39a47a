"""A mail server and a webhook receiver that accept the connection and never answer, while 16 API
clients write (issue 13): the web server (`runserver`), two task workers (`faktura_worker`) and
the workflow clock run as production runs them. Nothing waits on the silent servers but the
worker talking to them: no request is dropped, the database's write lock stays free, no process
stops, and both calls are given up on after their timeout, to be tried again later."""

import json
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from faktura.api.scopes import ALL_SCOPES
from faktura.api.tokens import create_token
from faktura.core.actors import Actor
from faktura.emails.models import EmailStatus, OutboundEmail
from faktura.workflows.models import StepRun, StepStatus
from faktura.workflows.tests.conftest import where
from faktura.workflows.tests.processes.conftest import webhook
from tests.postgres import _free_port
from tests.smtp import SilentServer

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 16
TIMEOUT = 5  # seconds the worker waits on each silent server (SMTP_TIMEOUT, the webhook's)


@pytest.fixture
def silent_receiver() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.stop()


@pytest.fixture
def production(processes: Any, silent_server: SilentServer, silent_receiver: SilentServer) -> str:
    """The web server, two workers and the clock, talking to the silent servers; its address.
    Started before the test's records are made, which they see once committed."""
    processes.env |= {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(silent_server.port),
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": str(TIMEOUT),
        "FAKTURA_WEBHOOK_TIMEOUT": str(TIMEOUT),
        "FAKTURA_API_RATE_LIMIT": "off",
    }
    port = _free_port()
    processes.start("runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks")
    processes.worker()
    processes.worker()
    processes.start("workflows_clock", "--interval", "0.2")
    return f"http://127.0.0.1:{port}"


class Writers:
    """16 API clients, each creating contacts one after another until stopped."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.stop = threading.Event()
        self.answers: list[int | str] = []  # each write's status, or why it got none
        self.threads = [
            threading.Thread(target=self._write, args=(n,), daemon=True) for n in range(CLIENTS)
        ]

    def _write(self, client: int) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            body = {"properties": {"email": f"client{client}-{number}@example.com"}}
            try:
                status: int | str = post(self.base, self.token, "/crm/v3/objects/contacts", body)[0]
            except (OSError, urllib.error.URLError) as error:  # dropped, refused, timed out
                status = f"{type(error).__name__}: {error}"
            self.answers.append(status)

    def __enter__(self) -> "Writers":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


def post(base: str, token: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode(errors="replace")


def assert_write_lock_is_free(folder: Path) -> None:
    """A writer gets SQLite's write lock within 2 s (the silent servers take longer)."""
    if connection.vendor != "sqlite":
        return  # PostgreSQL has no one write lock; the writers' answers show it
    with closing(sqlite3.connect(folder / "faktura.sqlite3", timeout=2)) as database:
        try:
            database.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            pytest.fail(f"A worker holds the write lock while it waits on a server ({error}).")
        database.rollback()


# SPEC INV-28, WF-4
def test_silent_mail_server_and_webhook_receiver_stop_nothing(
    production,
    processes,
    silent_server,
    silent_receiver,
    live_workflow,
    open_invoice,
    account,
    tmp_path,
):
    account(default_from_email="billing@nordlys.example")
    scopes = [name for name, _ in ALL_SCOPES]
    token = create_token(actor=Actor.system("tests"), name="Load", scopes=scopes)[1]
    live_workflow(
        "deal",
        [webhook("hook", f"http://127.0.0.1:{silent_receiver.port}/hook")],
        filters=where("dealstage", "any_of", "closedwon"),
    )
    base = production
    # Four processes start at once: on a busy machine the web server takes a while.
    processes.wait_until(lambda: serving(base), "the web server to answer", timeout=90)

    with Writers(base, token) as writers:
        # The deal enrolls; a worker posts the webhook and waits on the silent receiver.
        won = post(base, token, "/crm/v3/objects/deals", {
            "properties": {"dealname": "Hangs", "dealstage": "closedwon"},
        })  # fmt: skip
        assert won[0] == 201, won
        processes.wait_until(silent_receiver.accepted.is_set, "the webhook to connect")
        assert StepRun.objects.get(step_id="hook").status == StepStatus.RUNNING
        assert_write_lock_is_free(tmp_path)
        # Meanwhile the invoice is sent; the other worker waits on the silent mail server.
        sent = post(base, token, f"/faktura/v1/invoices/{open_invoice.pk}/send", {})
        assert sent[0] == 202, sent
        processes.wait_until(silent_server.accepted.is_set, "the mail server to be reached")
        email = OutboundEmail.objects.get()
        assert email.status == EmailStatus.SENDING
        assert_write_lock_is_free(tmp_path)
        processes.wait_until(
            lambda: (
                OutboundEmail.objects.get().status != EmailStatus.SENDING
                and StepRun.objects.get(step_id="hook").status != StepStatus.RUNNING
            ),
            "both calls to be given up on",
        )

    failed = [answer for answer in writers.answers if answer != 201]
    assert failed == [], f"{len(failed)} of {len(writers.answers)} writes failed: {failed[:5]}"
    assert len(writers.answers) >= CLIENTS
    stopped = [name for name, process, _ in processes.started if process.poll() is not None]
    assert stopped == [], f"{stopped} stopped.\n{processes.logs()}"

    email.refresh_from_db()
    assert email.status == EmailStatus.RETRYING
    assert email.last_error == f"The mail server did not answer within {TIMEOUT} seconds."
    step = StepRun.objects.get(step_id="hook")
    assert step.status == StepStatus.RETRYING
    assert f"did not answer within {TIMEOUT} seconds" in step.error


def serving(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/login/", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False
