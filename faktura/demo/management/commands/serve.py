"""`manage.py serve`: the embedded mode in one command.

Migrates, creates the admin user and demo data on the first start (and prints the login),
then runs the web server, one task worker and the workflow clock on 127.0.0.1, starting again
any of them that exits (`faktura.demo.supervisor`), until Ctrl-C or SIGTERM stops them all.
Unless QUICKBOOKS_CLIENT_ID is set, it also runs the QuickBooks sandbox (on the web port + 1,
its companies kept in DATA_DIR) and points the others at it (`faktura.demo.quickbooks_sandbox`);
on the demo's first start it connects a sandbox company once the sandbox answers
(`faktura.demo.quickbooks_demo`). Likewise, unless STRIPE_SECRET_KEY is set, it runs the Stripe
sandbox (on the web port + 2) and, on the demo's first start, connects its demo account and
registers this server's webhook endpoint (`faktura.demo.stripe_demo`).
"""

import os
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from faktura.accounts.models import User
from faktura.demo import quickbooks_sandbox, stripe_sandbox
from faktura.demo.quickbooks_demo import set_up_demo_quickbooks
from faktura.demo.seed import seed_demo
from faktura.demo.stripe_demo import set_up_demo_stripe
from faktura.demo.supervisor import Supervisor


class Command(BaseCommand):
    help = (
        "Run Faktura on 127.0.0.1: web server and one task worker, with demo data on first start."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Do not create demo data.")
        parser.add_argument(
            "--qbo-port",
            type=int,
            default=None,
            help="Port of the QuickBooks sandbox (default: the web port + 1). Not started when "
            "QUICKBOOKS_CLIENT_ID is set.",
        )
        parser.add_argument(
            "--stripe-port",
            type=int,
            default=None,
            help="Port of the Stripe sandbox (default: the web port + 2). Not started when "
            "STRIPE_SECRET_KEY is set.",
        )

    def handle(
        self,
        *args: Any,
        port: int,
        no_demo: bool,
        qbo_port: int | None,
        stripe_port: int | None,
        **options: Any,
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        login_file = settings.DATA_DIR / "first-login.txt"
        admin = None  # the demo's super admin, when this start created the demo data
        if not User.objects.exists() and not no_demo:
            login = seed_demo()
            admin = User.objects.get(username=login.username)
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
        children: dict[str, list[str]] = {}
        ready: dict[str, Callable[[], bool]] = {}
        then: dict[str, Callable[[], object]] = {}
        if os.environ.get("QUICKBOOKS_CLIENT_ID"):
            self.stdout.write("QuickBooks: Intuit, with the app keys in QUICKBOOKS_CLIENT_ID.")
        else:
            sandbox_port = qbo_port or port + 1
            sandbox_url = f"http://127.0.0.1:{sandbox_port}"
            data = settings.DATA_DIR / "qbo_sandbox.sqlite3"
            children["QuickBooks sandbox"] = quickbooks_sandbox.command(sandbox_port, data)
            ready["QuickBooks sandbox"] = quickbooks_sandbox.answering(sandbox_url)
            # The web server and the worker inherit these: they connect to the sandbox.
            os.environ.update(quickbooks_sandbox.environment(sandbox_url))
            if admin is not None:
                for name, value in quickbooks_sandbox.environment(sandbox_url).items():
                    setattr(settings, name, value)  # this process connects the demo's company
                then["QuickBooks sandbox"] = partial(
                    set_up_demo_quickbooks, admin, web_url=url, say=self.stdout.write
                )
            self.stdout.write(
                f"QuickBooks sandbox at {sandbox_url}/ (Settings → QuickBooks → Connect a "
                "QuickBooks company creates a sandbox company)."
            )
        if os.environ.get("STRIPE_SECRET_KEY"):
            self.stdout.write("Stripe: the account of the key in STRIPE_SECRET_KEY.")
        else:
            stripe_url = f"http://127.0.0.1:{stripe_port or port + 2}"
            data = settings.DATA_DIR / "stripe_sandbox.sqlite3"
            children["Stripe sandbox"] = stripe_sandbox.command(stripe_port or port + 2, data)
            ready["Stripe sandbox"] = stripe_sandbox.answering(stripe_url)
            # The web server and the worker inherit this: Stripe calls go to the sandbox.
            os.environ["STRIPE_API_BASE"] = settings.STRIPE_API_BASE = stripe_url
            if admin is not None:
                then["Stripe sandbox"] = partial(
                    set_up_demo_stripe, admin, web_url=url, say=self.stdout.write
                )
            self.stdout.write(
                f"Stripe sandbox at {stripe_url}/ (test cards: 4242 4242 4242 4242 pays, "
                "4000 0000 0000 0002 is declined)."
            )
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        supervisor = Supervisor(
            {
                **children,
                # Static files are served by WhiteNoise, in DEBUG or not.
                "web server": [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
                "task worker": [*manage, "faktura_worker", "--no-reload", "--interval", "1"],
                "workflow clock": [*manage, "workflows_clock", "--interval", "1"],
            },
            say=self.stderr.write,
            ready=ready,
            then=then,
            cwd=settings.BASE_DIR,
        )
        supervisor.run_until_terminated()
        self.stdout.write("Faktura stopped.")
