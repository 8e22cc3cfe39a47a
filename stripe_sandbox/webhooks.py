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
from collections import deque
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
    # A resend that tests a receiver's checks: signed this many seconds in the past, or with
    # another secret than the endpoint's.
    age: float = field(default=0.0, compare=False)
    secret: str | None = field(default=None, compare=False)


class Deliveries:
    def __init__(self, store: Store, retry_delays: tuple[float, ...]) -> None:
        self.store = store
        self.retry_delays = retry_delays
        # Delivery modes per account; the None key is the sandbox-wide one.
        self.modes: dict[str | None, Mode] = {}
        self.held: list[Job] = []
        self.in_flight: list[Job] = []
        self.attempts: list[dict[str, Any]] = []
        self.queue_lock = threading.Condition(threading.RLock())
        self.jobs: list[Job] = []
        self.counter = itertools.count()
        self.stopped = False
        self.pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="stripe-webhook")
        # One delivery at a time per endpoint keeps its deliveries in order (a slow endpoint
        # slows only itself): the endpoints being sent to, and the jobs waiting behind them.
        self.busy: set[str] = set()
        self.lanes: dict[str, deque[Job]] = {}
        threading.Thread(target=self.run, daemon=True, name="stripe-deliveries").start()

    # Endpoints

    def endpoints_for(self, account: str, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.store.all(account, "webhook_endpoint") if matches(e, kind)]

    # Queueing

    def mode_for(self, account: str | None) -> Mode:
        """The account's own mode, else the sandbox-wide one."""
        with self.queue_lock:
            return self.modes.get(account) or self.modes.get(None) or Mode()

    def set_mode(self, mode: Mode, account: str | None = None) -> None:
        with self.queue_lock:
            self.modes[account] = mode

    def reset(self, account: str | None = None) -> None:
        """Back to normal delivery (for one account, or for all); held events go out in order."""
        with self.queue_lock:
            if account is None:
                self.modes.clear()
            else:
                self.modes.pop(account, None)
        self.release(account, reverse=False)

    def queue(self, event: dict[str, Any], endpoints: list[dict[str, Any]]) -> None:
        with self.queue_lock:
            mode = self.mode_for(event["_account"])
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

    def release(self, account: str | None = None, reverse: bool | None = None) -> int:
        """Send the held deliveries (of one account, or all), newest first when the mode says
        reverse."""
        with self.queue_lock:
            held = [j for j in self.held if account is None or j.event["_account"] == account]
            self.held = [j for j in self.held if j not in held]
            mode = self.mode_for(account)
            if mode.reverse if reverse is None else reverse:
                held.reverse()
            now = time.monotonic()
            for job in held:
                job.due, job.seq = now + mode.delay, next(self.counter)
                heapq.heappush(self.jobs, job)
            self.queue_lock.notify_all()
            return len(held)

    def resend(self, event: dict[str, Any], age: float = 0.0, secret: str | None = None) -> int:
        """Deliver an event again to every matching endpoint (as the Dashboard's Resend);
        `age` and `secret` make its signature old or wrong."""
        endpoints = self.endpoints_for(event["_account"], event["type"])
        with self.queue_lock:
            for endpoint in endpoints:
                job = Job(time.monotonic(), next(self.counter), event, endpoint["id"])
                job.age, job.secret = age, secret
                heapq.heappush(self.jobs, job)
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
                if not job.parallel and job.endpoint_id in self.busy:
                    self.lanes.setdefault(job.endpoint_id, deque()).append(job)
                    continue
                if not job.parallel:
                    self.busy.add(job.endpoint_id)
                self.in_flight.append(job)
            self.pool.submit(self.attempt, job)

    def attempt(self, job: Job) -> None:
        try:
            self.send(job)
        finally:
            following = None
            with self.queue_lock:
                if job in self.in_flight:
                    self.in_flight.remove(job)
                if not job.parallel:
                    lane = self.lanes.get(job.endpoint_id)
                    if lane:
                        following = lane.popleft()
                        self.in_flight.append(following)
                    else:
                        self.busy.discard(job.endpoint_id)
                        self.lanes.pop(job.endpoint_id, None)
            if following is not None and not self.stopped:
                self.pool.submit(self.attempt, following)

    def send(self, job: Job) -> None:
        endpoint = self.store.objects.get(job.endpoint_id)
        if endpoint is None or endpoint.get("status") != "enabled":
            return
        event = job.event
        payload = json.dumps(public(event), indent=2).encode()
        timestamp = int(self.store.clock.now() - job.age)
        request = urllib.request.Request(
            endpoint["url"],
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                "Stripe-Signature": sign(payload, job.secret or endpoint["_secret"], timestamp),
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
            # Recorded, retried and no longer in flight at once: `pending` never counts twice.
            self.in_flight.remove(job)
            tampered = bool(job.age or job.secret)  # a test's one-off: not retried
            still_enabled = endpoint.get("status") == "enabled"  # not closed meanwhile
            retry_left = job.attempt <= len(self.retry_delays)
            if not delivered and not tampered and still_enabled and retry_left:
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

    def pending(self, account: str | None) -> int:
        """Deliveries queued, held, waiting to be retried or being sent (0: quiet)."""
        with self.queue_lock:
            return sum(
                1
                for job in [*self.jobs, *self.held, *self.in_flight, *self.waiting()]
                if account is None or job.event["_account"] == account
            )

    def close(self, account: str) -> int:
        """Drop the account's queued, held and retrying deliveries; the number dropped."""
        with self.queue_lock:
            dropped = [j for j in [*self.jobs, *self.held] if j.event["_account"] == account]
            self.jobs = [j for j in self.jobs if j.event["_account"] != account]
            heapq.heapify(self.jobs)
            self.held = [j for j in self.held if j.event["_account"] != account]
            for endpoint_id, lane in self.lanes.items():
                dropped += [j for j in lane if j.event["_account"] == account]
                self.lanes[endpoint_id] = deque(j for j in lane if j.event["_account"] != account)
            self.modes.pop(account, None)
            return len(dropped)

    def waiting(self) -> list[Job]:
        """Jobs due but waiting behind another delivery to the same endpoint."""
        return [job for lane in self.lanes.values() for job in lane]

    def stop(self) -> None:
        with self.queue_lock:
            self.stopped = True
            self.queue_lock.notify_all()
        self.pool.shutdown(wait=False, cancel_futures=True)
