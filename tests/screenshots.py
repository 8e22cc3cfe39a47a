"""Screenshots of the main pages and a sample invoice PDF for the README, from a fresh demo
account.

    uv run python -m tests.screenshots [--out docs/screenshots]

Starts Faktura on a throwaway SQLite data folder with the demo data, drives Debian's chromium
through Playwright (the same launch arguments as the browser tests), writes one PNG per page
to docs/screenshots/ and the invoice's PDF to docs/samples/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.browser import CHROMIUM_ARGS, chromium_path
from tests.postgres import _free_port
from tests.qbo import start_sandbox, stop_sandbox
from tests.stripe import start_sandbox as start_stripe
from tests.stripe import stop_sandbox as stop_stripe

ROOT = Path(__file__).resolve().parent.parent


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"Faktura did not answer at {url} within {seconds} s.")


def _seed(env: dict[str, str]) -> dict[str, str]:
    """Migrate and seed in a child process; returns the login and the ids of pages to show."""
    script = (
        "import django, json; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from faktura.demo.seed import seed_demo\n"
        "from faktura.invoices.models import Invoice\n"
        "from faktura.sales.models import Deal\n"
        "from faktura.listings.models import SavedView\n"
        "from faktura.workflows.models import Workflow\n"
        "login = seed_demo()\n"
        "partly = Invoice.objects.filter(status='open', amount_paid__gt=0).first()\n"
        "print(json.dumps({'username': login.username, 'password': login.password,\n"
        "  'invoice': partly.pk, 'token': partly.public_token, 'number': partly.number,\n"
        "  'payment': partly.applied_payments.first().payment_id,\n"
        "  'deal': Deal.objects.first().pk, 'workflow': Workflow.objects.get().pk,\n"
        "  'view': SavedView.objects.get(name='Open invoices').pk}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data: dict[str, str] = json.loads(out.strip().splitlines()[-1])
    return data


# A deal workflow of the seed's payment links (QB-8); its QuickBooks action is added in the editor.
QUICKBOOKS_WORKFLOW = (
    "import django; django.setup()\n"
    "from faktura.accounts.models import User\n"
    "from faktura.core.actors import Actor\n"
    "from faktura.workflows import services\n"
    "actor = Actor.for_user(User.objects.get(username={username!r}))\n"
    "trigger = [[{{'property': 'dealname', 'operator': 'any_of', 'values': ['Payment Link']}}]]\n"
    "workflow = services.create_workflow(actor=actor, name='Payment links to QuickBooks',\n"
    "  object_type='deal', definition={{'triggers': {{'filters': trigger, 'events': []}},\n"
    "  're_enrollment': {{'enabled': False, 'properties': []}}, 'steps': []}})\n"
    "print(workflow.pk)\n"
)
# A payment-link deal; the clock enrolls it and runs the action inline (immediate tasks).
PAYMENT_LINK_DEAL = (
    "import django; django.setup()\n"
    "from django.core.management import call_command\n"
    "from faktura.core.actors import Actor\n"
    "from faktura.crm.models import Contact\n"
    "from faktura.sales.services import create_deal\n"
    "buyer = Contact.objects.exclude(email='').order_by('pk').first()\n"
    "lines = [{'name': 'Workshop seat', 'unit_price': '250.00', 'quantity': '2'},\n"
    "  {'name': 'Course book', 'unit_price': '35.00', 'quantity': '2'}]\n"
    "deal = create_deal(actor=Actor.system('screenshots'), dealname='Payment Link',\n"
    "  contacts=[buyer], lines=lines)\n"
    "call_command('workflows_clock', once=True)\n"
    "print(deal.pk)\n"
)


def _run_script(script: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    return out.strip().splitlines()[-1]


def _quickbooks_action(page: Any, base: str, env: dict[str, str], ids: dict[str, str],
                       out: Path) -> None:  # fmt: skip
    """The editor's side panel with "Create QuickBooks invoice" configured, then the deal page
    whose QuickBooks card lists the invoice the workflow created."""
    workflow = _run_script(QUICKBOOKS_WORKFLOW.format(username=ids["username"]), env)
    page.goto(f"{base}/workflows/{workflow}/")
    page.get_by_role("button", name="Add a step at position 1").click()
    panel = page.locator("#step-panel.show")
    panel.wait_for()
    panel.locator('[data-step-type="quickbooks_create_invoice"]').click()
    company = panel.get_by_label("QuickBooks company")
    company.wait_for()
    page.wait_for_timeout(400)  # the panel's slide-in and htmx settling
    company.select_option(label="Nordlys Consulting")
    panel.get_by_label("Payment terms").locator("option", has_text="Net 30").wait_for(
        state="attached"
    )
    panel.get_by_label("Payment terms").select_option(label="Net 30")
    panel.get_by_role("group", name=re.compile("Create the product")).get_by_label(
        "Yes", exact=True
    ).check()
    page.screenshot(path=out / "workflow-quickbooks-action.png")
    panel.get_by_role("button", name="Save").click()
    page.locator("[data-step]").wait_for()
    page.get_by_role("link", name="Review and publish").click()
    page.locator("#dialog").get_by_role("button", name="Publish").click()
    page.get_by_role("link", name="Turn on").click()
    page.locator("#dialog").get_by_role("button", name="Turn on").click()
    page.get_by_test_id("workflow-state").get_by_text("On").wait_for()
    immediate = {**env, "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    deal = _run_script(PAYMENT_LINK_DEAL, immediate)
    page.goto(f"{base}/deals/{deal}/")
    page.get_by_test_id("record-quickbooks").wait_for()
    page.screenshot(path=out / "deal-quickbooks-card.png", full_page=True)


def _stripe(page: Any, browser: Any, base: str, ids: dict[str, str], out: Path) -> None:
    """Settings → Payments, the buyer paying on Stripe's hosted page, a partial refund, and a
    payment link with its public page (issue 16)."""
    from faktura.demo.stripe_sandbox import DEMO_SECRET_KEY

    page.goto(f"{base}/settings/payments/")
    page.get_by_label("Secret key").fill(DEMO_SECRET_KEY)
    page.get_by_role("button", name="Connect Stripe").click()
    page.locator("[data-action=create_endpoint]").click()
    page.screenshot(path=out / "settings-payments.png", full_page=True)
    buyer = browser.new_page(viewport={"width": 1200, "height": 900})
    buyer.goto(f"{base}/i/{ids['token']}/")
    buyer.screenshot(path=out / "buyer-page.png", full_page=True)
    buyer.locator("[data-action=pay]").first.click()
    buyer.get_by_label("Card number").fill("4242 4242 4242 4242")
    buyer.get_by_label("Expiration (MM / YY)").fill("12 / 30")
    buyer.get_by_label("CVC").fill("123")
    buyer.get_by_label("Cardholder name").fill("Ada Lovelace")
    buyer.screenshot(path=out / "stripe-checkout.png")
    buyer.get_by_role("button", name=re.compile("^Pay")).click()
    buyer.wait_for_url(f"{base}/i/{ids['token']}/*")
    buyer.get_by_text("Thank you").first.wait_for()
    buyer.screenshot(path=out / "buyer-page-paid.png", full_page=True)
    # The card payment is the newest: refund part of it from its page.
    page.goto(f"{base}/payments/?sort=-hs_object_id")
    page.locator("table tbody a[href^='/payments/']").first.click()
    page.locator("[data-action=refund]").click()
    page.get_by_label(re.compile("^Amount")).fill("100.00")
    page.get_by_label(re.compile("^Reason")).fill("One seat was cancelled.")
    page.locator("[data-action=confirm_refund]").click()
    page.get_by_text("One seat was cancelled.").first.wait_for()
    page.screenshot(path=out / "payment-refund.png", full_page=True)
    # A payment link for two products, then its public page.
    page.goto(f"{base}/payments/links/new/")
    page.get_by_label("Name", exact=True).fill("Security audit with a consulting day")
    page.get_by_label("Product").select_option(label="Security audit — 4,800.00")
    page.get_by_role("button", name="Create payment link").click()
    page.get_by_test_id("public-url").wait_for()
    page.screenshot(path=out / "payment-link.png", full_page=True)
    public = browser.new_page(viewport={"width": 1200, "height": 800})
    public.goto(page.get_by_test_id("public-url").input_value())
    public.get_by_label(re.compile("Your name")).fill("Linus Torvalds")
    public.get_by_label(re.compile("Your email")).fill("linus@example.org")
    public.screenshot(path=out / "payment-link-public.png", full_page=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="faktura-shots-") as data_dir:
        env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "FAKTURA_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        ids = _seed(env)
        # Settings → QuickBooks connects a company of the sandbox, as the demo does.
        sandbox = start_sandbox()
        env.update(sandbox.environment())
        # Settings → Payments connects the Stripe sandbox's demo account, as the demo does.
        stripe = start_stripe()
        env["STRIPE_API_BASE"] = stripe.base_url
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(f"{base}/login/")
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=chromium_path(),
                    args=CHROMIUM_ARGS,
                )
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"{base}/login/")
                page.get_by_label("Username").fill(ids["username"])
                page.get_by_label("Password").fill(ids["password"])
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(f"{base}/invoices/")
                shots = {
                    "invoice-index": "/invoices/",
                    "invoice-index-open-view": f"/invoices/?view={ids['view']}",
                    "invoice-record": f"/invoices/{ids['invoice']}/",
                    "payment-record": f"/payments/{ids['payment']}/",
                    "payments-index": "/payments/",
                    "contacts-index": "/contacts/",
                    "deal-record": f"/deals/{ids['deal']}/",
                    "deal-edit": f"/deals/{ids['deal']}/edit/",
                    "settings": "/settings/",
                    "settings-users": "/settings/users/",
                    "workflows-index": "/workflows/",
                    "workflow-editor": f"/workflows/{ids['workflow']}/",
                }
                # A sample PDF of the same invoice, for the README.
                samples = args.out.parent / "samples"
                samples.mkdir(exist_ok=True)
                pdf = page.request.get(f"{base}/invoices/{ids['invoice']}/pdf/")
                (samples / f"invoice-{ids['number']}.pdf").write_bytes(pdf.body())
                for name, path in shots.items():
                    page.goto(base + path)
                    page.screenshot(path=args.out / f"{name}.png", full_page=True)
                # The editor's side panel, open on the workflow's action.
                page.goto(f"{base}/workflows/{ids['workflow']}/")
                page.get_by_role("button", name="Edit Create a task").click()
                page.locator("#step-panel.show").wait_for()
                page.wait_for_timeout(400)  # the panel's slide-in
                page.screenshot(path=args.out / "workflow-step-panel.png")
                # Settings → QuickBooks: connect a sandbox company, then the list and its page.
                page.goto(f"{base}/settings/quickbooks/")
                page.get_by_role("button", name="Connect a QuickBooks company").click()
                page.get_by_label("New company name").fill("Nordlys Consulting")
                page.get_by_role("button", name="Connect", exact=True).click()
                page.wait_for_url(f"{base}/settings/quickbooks/*/")
                page.get_by_label("Income account for new items").select_option(label="Services")
                page.get_by_role("button", name="Save defaults").click()
                page.screenshot(
                    path=args.out / "settings-quickbooks-connection.png", full_page=True
                )
                page.goto(f"{base}/settings/quickbooks/")
                page.screenshot(path=args.out / "settings-quickbooks.png", full_page=True)
                _quickbooks_action(page, base, env, ids, args.out)
                _stripe(page, browser, base, ids, args.out)
                phone = browser.new_context(
                    viewport={"width": 390, "height": 844},
                    is_mobile=True,
                    storage_state=page.context.storage_state(),
                ).new_page()
                phone.goto(f"{base}/invoices/{ids['invoice']}/")
                phone.screenshot(path=args.out / "invoice-record-phone.png", full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
            stop_sandbox(sandbox)
            stop_stripe(stripe)
    print(f"Screenshots written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
