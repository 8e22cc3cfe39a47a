"""Waiting longer after each failure in a row: 1 s, 2 s, 4 s … up to a cap, and from the start
again once things went well. Used by the processes that must outlive a bad moment (the task
worker, the workflow clock, and `serve` restarting its children)."""

from dataclasses import dataclass


@dataclass
class Backoff:
    first: float = 1.0
    cap: float = 30.0
    failures: int = 0

    def next_delay(self) -> float:
        """The wait before the next try, counting this failure."""
        delay = min(self.cap, self.first * 2**self.failures)
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0
