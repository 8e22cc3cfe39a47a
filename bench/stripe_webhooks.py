"""Time Stripe's webhook endpoint taking events (PAY-2): check the signature, store the event,
queue its task. Stripe waits for the answer and retries slow ones, so this is the path that must
stay quick; applying the event happens later, on a worker.

    uv run python bench/stripe_webhooks.py                  # SQLite in a temporary folder
    uv run python bench/stripe_webhooks.py --postgres       # a throwaway PostgreSQL 15
    uv run python bench/stripe_webhooks.py --events 2000 --runs 5

Each run posts `--events` new signed events through Django's test client, then the same events
again (Stripe's duplicate deliveries: answered 200, no second row), then the same number with
a bad signature (400, nothing stored). Beside them, in the same run, the ceilings: the library's
signature check alone (`stripe.Webhook.construct_event`) and a bare INSERT of the same rows.
Prints the median per event of each.
"""

import argparse
import contextlib
import hashlib
import hmac
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SECRET = "whsec_bench0000000000000000000000"


def signed(payload: bytes, secret: str = SECRET) -> str:
    """Stripe's Stripe-Signature header for `payload`."""
    stamp = str(int(time.time()))
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def event(number: int, run: int) -> bytes:
    session = {"id": f"cs_test_bench{run}x{number}", "object": "checkout.session"}
    body = {
        "id": f"evt_bench{run}x{number}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": session},
    }
    return json.dumps(body).encode()


def per_event(action: Callable[[], None], count: int) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) / count * 1000


def one_run(run: int, count: int, note: Callable[[str, float], None]) -> None:
    import stripe
    from django.db import connection
    from django.test import Client

    from faktura.stripe_payments.models import WebhookEvent

    client = Client()
    payloads = [event(n, run) for n in range(count)]
    headers = [signed(p) for p in payloads]

    def post_all(sign: Callable[[int], str], status: int) -> None:
        for n, payload in enumerate(payloads):
            answer = client.post(
                "/stripe/webhook/",
                payload,
                content_type="application/json",
                headers={"Stripe-Signature": sign(n)},
            )
            assert answer.status_code == status, answer.content

    def good(n: int) -> str:
        return headers[n]

    def bad(n: int) -> str:
        return signed(payloads[n], "whsec_wrong")

    def construct_all() -> None:
        for payload, header in zip(payloads, headers, strict=True):
            stripe.Webhook.construct_event(payload, header, SECRET, tolerance=300)

    def bare_inserts() -> None:
        fields = [f for f in WebhookEvent._meta.concrete_fields if f.column != "id"]
        first = WebhookEvent.objects.order_by("pk").first()
        assert first is not None
        values = [f.get_db_prep_save(getattr(first, f.attname), connection) for f in fields]
        columns = [str(f.column) for f in fields]
        sql = (
            f"INSERT INTO {WebhookEvent._meta.db_table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        at = columns.index("event_id")
        with connection.cursor() as cursor:
            for n in range(count):
                values[at] = f"evt_bare{run}x{n}"
                cursor.execute(sql, values)

    before = WebhookEvent.objects.count()
    note("new event: checked, stored, task queued", per_event(lambda: post_all(good, 200), count))
    note("duplicate delivery (200, no row)", per_event(lambda: post_all(good, 200), count))
    note("bad signature (400, nothing stored)", per_event(lambda: post_all(bad, 400), count))
    assert WebhookEvent.objects.count() == before + count
    note("ceiling: the library's signature check alone", per_event(construct_all, count))
    note("ceiling: a bare INSERT of the row", per_event(bare_inserts, count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        os.environ["FAKTURA_DATA_DIR"] = stack.enter_context(tempfile.TemporaryDirectory())
        os.environ["STRIPE_WEBHOOK_SECRET"] = SECRET
        if args.postgres:
            from tests.postgres import running_postgres

            os.environ["DATABASE_URL"] = stack.enter_context(running_postgres())
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        logging.getLogger("django.request").setLevel(logging.ERROR)  # the 400s are on purpose
        figures: dict[str, list[float]] = {}
        for run in range(args.runs):
            one_run(run, args.events, lambda name, ms: figures.setdefault(name, []).append(ms))
        engine = connection.vendor
        print(f"{args.events} events a run, {args.runs} runs, {engine}; median ms per event")
        for name, values in figures.items():
            print(f"  {statistics.median(values):8.3f}  {name}")


if __name__ == "__main__":
    main()
