"""Throttling per company and the faults a test can inject through the control endpoint."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

KINDS = ("latency", "error", "throttle", "drop", "stall")
TIMES_KEPT = 1000  # request times kept per company for /control/traffic


@dataclass
class Rule:
    """An injected fault: applies to the next `count` matching API requests."""

    kind: str
    count: int = 1
    realm: str | None = None
    path: str | None = None
    method: str | None = None
    seconds: float = 0.0
    status: int = 503
    retry_after: int | None = None
    id: int = 0

    def matches(self, realm: str, method: str, path: str) -> bool:
        return (
            (self.realm is None or self.realm == realm)
            and (self.method is None or self.method.upper() == method)
            and (self.path is None or self.path in path)
        )


def rule_from(data: dict[str, Any]) -> Rule:
    """A rule from the control endpoint's JSON; ValueError names what is wrong."""
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    retry_after = data.get("retry_after")
    return Rule(
        kind=kind,
        count=int(data.get("count", 1)),
        realm=data.get("realm"),
        path=data.get("path"),
        method=data.get("method"),
        seconds=float(data.get("seconds", 0)),
        status=int(data.get("status", 503)),
        retry_after=None if retry_after is None else int(retry_after),
    )


@dataclass
class Limits:
    per_minute: int = 500
    concurrent: int = 10


@dataclass
class Traffic:
    """Requests of the last minute and requests in flight, per company; for tests, the wall
    times at which recent requests were let in and 429s were answered."""

    limits: Limits = field(default_factory=Limits)
    recent: dict[str, deque[float]] = field(default_factory=dict)
    active: dict[str, int] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    started: dict[str, deque[float]] = field(default_factory=dict)
    throttled: dict[str, deque[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self, realm: str) -> bool:
        """Count a request in; False (and not counted) when it is over a limit."""
        now = time.monotonic()
        with self.lock:
            recent = self.recent.setdefault(realm, deque())
            while recent and recent[0] < now - 60:
                recent.popleft()
            active = self.active.get(realm, 0)
            if len(recent) >= self.limits.per_minute or active >= self.limits.concurrent:
                self._note(self.throttled, realm)
                return False
            recent.append(now)
            self._note(self.started, realm)
            self.active[realm] = active + 1
            self.peak[realm] = max(self.peak.get(realm, 0), active + 1)
            return True

    def leave(self, realm: str) -> None:
        with self.lock:
            self.active[realm] -= 1

    def throttle(self, realm: str) -> None:
        """Note an injected 429."""
        with self.lock:
            self._note(self.throttled, realm)

    def report(self) -> dict[str, Any]:
        with self.lock:
            return {
                "peak": dict(self.peak),
                "active": dict(self.active),
                "started": {realm: list(times) for realm, times in self.started.items()},
                "throttled": {realm: list(times) for realm, times in self.throttled.items()},
            }

    @staticmethod
    def _note(times: dict[str, deque[float]], realm: str) -> None:
        times.setdefault(realm, deque(maxlen=TIMES_KEPT)).append(time.time())


class Faults:
    """The injected fault rules, consumed as requests match them."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.lock = threading.Lock()
        self.next_id = 1

    def add(self, rule: Rule) -> int:
        with self.lock:
            rule.id = self.next_id
            self.next_id += 1
            self.rules.append(rule)
            return rule.id

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def take(self, kinds: tuple[str, ...], realm: str, method: str, path: str) -> Rule | None:
        with self.lock:
            for rule in self.rules:
                if rule.kind in kinds and rule.matches(realm, method, path):
                    rule.count -= 1
                    if rule.count <= 0:
                        self.rules.remove(rule)
                    return rule
        return None
