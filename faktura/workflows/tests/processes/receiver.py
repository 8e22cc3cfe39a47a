"""A webhook receiver on 127.0.0.1, written as a careful integration writes one: each delivery's
effect is applied once per Idempotency-Key, and a repeated key gets a success without a second
effect. It records every request, so a step that ran twice shows as two deliveries."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Delivery:
    path: str
    key: str
    payload: dict[str, Any]


@dataclass
class Receiver:
    url: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # the keys whose effect was applied
    statuses: list[int] = field(default_factory=list)  # the next answers; then 200
    # Hold the first delivery after applying its effect, as if the answer were lost on the
    # way back: the sender waits until `release` is set (or its own timeout).
    hold_first: bool = False
    held: threading.Event = field(default_factory=threading.Event)  # the held delivery came
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, *statuses: int) -> None:
        self.statuses.extend(statuses)

    def keys(self) -> list[str]:
        """The Idempotency-Key of each delivery, in order."""
        with self.lock:
            return [d.key for d in self.deliveries]

    def receive(self, path: str, key: str, payload: dict[str, Any]) -> tuple[int, bool]:
        """Record a delivery; (the status to answer, whether to hold the answer)."""
        with self.lock:
            self.deliveries.append(Delivery(path, key, payload))
            status = self.statuses.pop(0) if self.statuses else 200
            if 200 <= status < 300 and key not in self.applied:
                self.applied.append(key)  # the receiver's write, deduplicated on the key
            hold = self.hold_first and len(self.deliveries) == 1
        return status, hold


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            key = self.headers.get("Idempotency-Key") or ""
            status, hold = state.receive(self.path, key, json.loads(body or b"{}"))
            if hold:
                state.held.set()
                state.release.wait(30)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender is gone (killed while waiting): nobody reads the answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return state, server
