"""The engine in real processes (`tests.processes`): a task worker and `manage.py
workflows_clock` started as production starts them, against the test's own database, with a
webhook receiver on 127.0.0.1. Tests here need `django_db(transaction=True)`."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faktura.workflows import feed
from faktura.workflows.tests.conftest import read_feed
from faktura.workflows.tests.processes.receiver import Receiver, start_receiver
from tests.processes import LOCAL_NETWORKS, Processes, shared_database

SECRET = "shared-with-the-receiver"


@pytest.fixture
def processes(transactional_db: None, settings: Any, tmp_path: Path) -> Iterator[Processes]:
    # This process queues to the database too (the feed enrolls; recovery re-queues).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WEBHOOK_ALLOWED_NETWORKS = [LOCAL_NETWORKS]
    with shared_database(tmp_path) as env:
        started = Processes(env, tmp_path)
        try:
            yield started
        finally:
            started.stop()  # before the database is flushed or dropped under them


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state, server = start_receiver()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


def webhook(step_id: str, url: str) -> dict[str, Any]:
    return {"id": step_id, "type": "send_webhook", "config": {"url": url, "secret": SECRET}}


def note(step_id: str) -> dict[str, Any]:
    return {"id": step_id, "type": "create_note", "config": {"body": "Sent to {{ dealname }}."}}


def read_whole_feed() -> None:
    """Read the feed until it is read to the end (a pass reads at most BATCH entries)."""
    while read_feed().read == feed.BATCH:
        pass
