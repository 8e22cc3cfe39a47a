"""Webhook endpoints and delivery: each event POSTed as JSON to every matching endpoint of its
account, signed as Stripe signs (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.payload")`),
retried with back-off after a non-2xx answer or a connection error. The control endpoint can
change how the next events go out: duplicated, delayed, held and released in reverse order."""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from stripe_sandbox.store import Store, public

TIMEOUT = 10.0
USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def matches(endpoint: dict[str, Any], kind: str) -> bool:
    if endpoint.get("status") != "enabled":
        return False
    enabled = endpoint.get("enabled_events") or []
    return "*" in enabled or kind in enabled


@dataclass
class Mode:
    """How the next events are delivered (POST /control/delivery)."""

    duplicate: int = 1
    reverse: bool = False
    delay: float = 0.0
    hold: bool = False
    parallel: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mode:
        unknown = set(data) - {"duplicate", "reverse", "delay", "hold", "parallel"}
        if unknown:
            raise ValueError(f"unknown delivery settings: {', '.join(sorted(unknown))}")
        mode = cls(
            duplicate=int(data.get("duplicate", 1)),
            reverse=bool(data.get("reverse", False)),
            delay=float(data.get("delay", 0.0)),
            hold=bool(data.get("hold", False)),
            parallel=bool(data.get("parallel", False)),
        )
        if mode.duplicate < 1 or mode.delay < 0:
            raise ValueError("duplicate must be at least 1 and delay at least 0")
        return mode

    def as_json(self) -> dict[str, Any]:
        return {
            "duplicate": self.duplicate,
            "reverse": self.reverse,
            "delay": self.delay,
            "hold": self.hold,
            "parallel": self.parallel,
        }


@dataclass(order=True)
class Job:
    """One delivery of one event to one endpoint, through its attempts."""

    due: float
    seq: int
    event: dict[str, Any] = field(compare=False)
    endpoint_id: str = field(compare=False)
    attempt: int = field(default=1, compare=False)
    # Sent alongside the endpoint's other deliveries rather than after them.
    parallel: bool = field(default=False, compare=False)


class Deliveries:
    def __init__(self, store: Store, retry_delays: tuple[float, ...]) -> None:
        self.store = store
        self.retry_delays = retry_delays
        self.mode = Mode()
        self.held: list[Job] = []
        self.attempts: list[dict[str, Any]] = []
        self.queue_lock = threading.Condition()
        self.jobs: list[Job] = []
        self.counter = itertools.count()
        self.stopped = False
        self.pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="stripe-webhook")
        # One lane per endpoint keeps its deliveries in order; a slow endpoint slows only itself.
        self.lanes: dict[str, ThreadPoolExecutor] = {}
        threading.Thread(target=self.run, daemon=True, name="stripe-deliveries").start()

    # Endpoints

    def endpoints_for(self, account: str, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.store.all(account, "webhook_endpoint") if matches(e, kind)]

    # Queueing

    def set_mode(self, mode: Mode) -> None:
        with self.queue_lock:
            self.mode = mode

    def reset(self) -> None:
        """Back to normal delivery; held events go out in order."""
        with self.queue_lock:
            self.mode = Mode()
        self.release(reverse=False)

    def queue(self, event: dict[str, Any], endpoints: list[dict[str, Any]]) -> None:
        with self.queue_lock:
            mode = self.mode
            for endpoint in endpoints:
                for _ in range(mode.duplicate):
                    job = Job(
                        time.monotonic() + mode.delay,
                        next(self.counter),
                        event,
                        endpoint["id"],
                        parallel=mode.parallel,
                    )
                    if mode.hold or mode.reverse:
                        self.held.append(job)
                    else:
                        heapq.heappush(self.jobs, job)
            self.queue_lock.notify_all()

    def release(self, reverse: bool | None = None) -> int:
        """Send the held deliveries, newest first when the mode says reverse."""
        with self.queue_lock:
            held, self.held = self.held, []
            if self.mode.reverse if reverse is None else reverse:
                held.reverse()
            now = time.monotonic()
            for job in held:
                job.due, job.seq = now + self.mode.delay, next(self.counter)
                heapq.heappush(self.jobs, job)
            self.queue_lock.notify_all()
            return len(held)

    def resend(self, event: dict[str, Any]) -> int:
        """Deliver an event again to every matching endpoint (as the Dashboard's Resend)."""
        endpoints = self.endpoints_for(event["_account"], event["type"])
        with self.queue_lock:
            for endpoint in endpoints:
                heapq.heappush(
                    self.jobs, Job(time.monotonic(), next(self.counter), event, endpoint["id"])
                )
            self.queue_lock.notify_all()
        return len(endpoints)

    # The delivery thread

    def run(self) -> None:
        while True:
            with self.queue_lock:
                while not self.stopped and (not self.jobs or self.jobs[0].due > time.monotonic()):
                    wait = self.jobs[0].due - time.monotonic() if self.jobs else None
                    self.queue_lock.wait(timeout=wait)
                if self.stopped:
                    return
                job = heapq.heappop(self.jobs)
                if job.parallel:
                    lane = self.pool
                else:
                    lane = self.lanes.setdefault(
                        job.endpoint_id,
                        ThreadPoolExecutor(max_workers=1, thread_name_prefix="stripe-lane"),
                    )
            lane.submit(self.attempt, job)

    def attempt(self, job: Job) -> None:
        endpoint = self.store.objects.get(job.endpoint_id)
        if endpoint is None or endpoint.get("status") != "enabled":
            return
        event = job.event
        payload = json.dumps(public(event), indent=2).encode()
        timestamp = int(self.store.clock.now())
        request = urllib.request.Request(
            endpoint["url"],
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                "Stripe-Signature": sign(payload, endpoint["_secret"], timestamp),
            },
        )
        status: int | None = None
        error = ""
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                status = answer.status
        except urllib.error.HTTPError as failure:
            status = failure.code
        except (OSError, ValueError) as failure:
            error = str(getattr(failure, "reason", failure))
        delivered = status is not None and 200 <= status < 300
        with self.queue_lock:
            self.attempts.append(
                {
                    "account": event["_account"],
                    "event": event["id"],
                    "type": event["type"],
                    "endpoint": endpoint["id"],
                    "url": endpoint["url"],
                    "attempt": job.attempt,
                    "status": status,
                    "error": error or None,
                    "delivered": delivered,
                    "at": time.time(),
                }
            )
            if not delivered and job.attempt <= len(self.retry_delays):
                delay = self.retry_delays[job.attempt - 1]
                retry = Job(time.monotonic() + delay, next(self.counter), event, endpoint["id"])
                retry.attempt, retry.parallel = job.attempt + 1, job.parallel
                heapq.heappush(self.jobs, retry)
                self.queue_lock.notify_all()
        if delivered or job.attempt > len(self.retry_delays):
            with self.store.lock:
                if event.get("pending_webhooks", 0) > 0:
                    event["pending_webhooks"] -= 1
                    self.store.put(event)

    def report(self, account: str | None) -> list[dict[str, Any]]:
        with self.queue_lock:
            return [dict(a) for a in self.attempts if account is None or a["account"] == account]

    def stop(self) -> None:
        with self.queue_lock:
            self.stopped = True
            self.queue_lock.notify_all()
        for lane in [self.pool, *self.lanes.values()]:
            lane.shutdown(wait=False, cancel_futures=True)
