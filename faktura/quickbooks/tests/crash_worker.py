"""The task worker, stopped at one moment for the crash tests (test_crashes.py):

    python -m faktura.quickbooks.tests.crash_worker MARKER

It is `manage.py faktura_worker` as `tests.processes.Processes.worker` starts it, except that
the first workflow step it is about to mark succeeded waits there: after the action ran (its
QuickBooks document is recorded) and before the step's success is written. It writes the step
run's id to MARKER and waits to be killed. Nothing else of the engine is changed.
The environment is the one `tests.processes.shared_database` gives, plus the sandbox's."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import django


def main() -> None:
    marker = Path(sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    from faktura.workflows import engine

    def stop_before_success(step_run: Any, *arguments: Any, **options: Any) -> Any:
        marker.write_text(str(step_run.pk))
        while True:  # until SIGKILL
            time.sleep(1)

    engine._succeed = stop_before_success
    call_command("faktura_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")


if __name__ == "__main__":
    main()
