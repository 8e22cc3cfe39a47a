"""`manage.py serve`: the embedded mode in one command.

Migrates, creates the admin user and demo data on the first start (and prints the login),
then runs the web server, one task worker and the workflow clock on 127.0.0.1 until Ctrl-C
stops them.
"""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from faktura.accounts.models import User
from faktura.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Run Faktura on 127.0.0.1: web server and one task worker, with demo data on first start."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Do not create demo data.")

    def handle(self, *args: Any, port: int, no_demo: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        login_file = settings.DATA_DIR / "first-login.txt"
        if not User.objects.exists() and not no_demo:
            login = seed_demo()
            login_file.write_text(f"username: {login.username}\npassword: {login.password}\n")
            login_file.chmod(0o600)
            self.stdout.write(self.style.SUCCESS("Created the admin user and demo data."))
        url = f"http://127.0.0.1:{port}/"
        # Links Faktura makes (emails and PDFs from the worker too) point where it is served.
        os.environ.setdefault("FAKTURA_BASE_URL", url.rstrip("/"))
        settings.FAKTURA_BASE_URL = os.environ["FAKTURA_BASE_URL"]
        self.stdout.write(f"Faktura is starting at {url} (Ctrl-C stops it).")
        if login_file.exists():
            self.stdout.write(f"Log in at {url}login/ with\n{login_file.read_text()}")
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        children = [
            # Static files are served by WhiteNoise, in DEBUG or not.
            subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"]),
            subprocess.Popen([*manage, "db_worker", "--no-reload", "--interval", "1"]),
            subprocess.Popen([*manage, "workflows_clock", "--interval", "1"]),
        ]
        self._supervise(children)

    def _supervise(self, children: list[subprocess.Popen[bytes]]) -> None:
        def stop(*_: object) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

        def terminate(*_: object) -> None:
            stop()
            sys.exit(0)

        signal.signal(signal.SIGTERM, terminate)
        try:
            # If either process dies, stop the other: half a Faktura is no Faktura.
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            failed = [c.args for c in children if c.poll() not in (None, 0)]
            if failed:
                self.stderr.write(f"Stopped because a process exited: {failed}")
        except KeyboardInterrupt:
            self.stdout.write("Stopping Faktura…")
        finally:
            stop()
