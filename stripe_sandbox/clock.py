"""The sandbox's time: wall time plus an offset the control endpoint moves forward, per process."""

from __future__ import annotations

import threading
import time


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0
        self.lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self.offset

    def seconds(self) -> int:
        """Stripe's timestamps: whole Unix seconds."""
        return int(self.now())

    def advance(self, seconds: float) -> float:
        with self.lock:
            self.offset += seconds
            return self.offset
