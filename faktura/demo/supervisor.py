"""Keeps `serve`'s processes running: a child that exits is logged (which one, and why) and
started again after a back-off (1 s, 2 s, 4 s … 30 s; from 1 s again once it ran a minute).
A child others need (the QuickBooks sandbox) is waited for until it answers before the next
starts; what needs it first (the demo's QuickBooks company) runs then. Only `stop()` — Ctrl-C
or SIGTERM of `serve` — ends them all."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from faktura.core.backoff import Backoff

# A child that ran this long before exiting was fine: its next restart waits 1 s again.
STEADY_SECONDS = 60.0
# How long the first start of a child others need may take to answer.
READY_SECONDS = 30.0


def exit_reason(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


@dataclass
class Child:
    name: str
    command: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restart_at: float | None = None
    backoff: Backoff = field(default_factory=Backoff)
    ready: Callable[[], bool] | None = None
    then: Callable[[], object] | None = None


class Supervisor:
    def __init__(
        self,
        commands: dict[str, Sequence[str]],
        say: Callable[[str], None],
        *,
        ready: Mapping[str, Callable[[], bool]] | None = None,
        then: Mapping[str, Callable[[], object]] | None = None,
        cwd: Path | None = None,
    ) -> None:
        """`ready[name]`: whether that child answers yet; the children after it start then.
        `then[name]`: run once, in this process, when that child first answered (or its wait
        ran out), before the next child starts.
        `cwd`: where the children run (`python -m` finds the project's packages there)."""
        self.cwd = cwd
        ready, then = ready or {}, then or {}
        self.children = [
            Child(name, command, ready=ready.get(name), then=then.get(name))
            for name, command in commands.items()
        ]
        self.say = say  # where a restart is told (serve's stderr)
        self.stopping = threading.Event()

    def run(self, poll: float = 0.2) -> None:
        """Start every child and keep them running until `stop()` (or Ctrl-C); then stop them."""
        try:
            for child in self.children:
                self._start(child)
                self._wait_until_ready(child)
                if child.then is not None and not self.stopping.is_set():
                    child.then()
            while not self.stopping.wait(poll):
                for child in self.children:
                    self._look_after(child)
        finally:
            self._stop_children()

    def run_until_terminated(self) -> None:
        """`run()` in the main thread, until Ctrl-C or SIGTERM."""
        signal.signal(signal.SIGTERM, lambda *_: self.stop())
        with suppress(KeyboardInterrupt):  # the children got it too; run() stops any left
            self.run()

    def stop(self) -> None:
        self.stopping.set()

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(list(child.command), cwd=self.cwd)
        child.started, child.restart_at = time.monotonic(), None

    def _wait_until_ready(self, child: Child, poll: float = 0.2) -> None:
        if child.ready is None:
            return
        deadline = time.monotonic() + READY_SECONDS
        while not child.ready():
            if time.monotonic() > deadline or self.stopping.is_set():
                self.say(f"Faktura: the {child.name} did not answer within {READY_SECONDS:.0f} s; "
                         "starting the others anyway.")  # fmt: skip
                return
            self._look_after(child)  # restarted with its back-off if it exited
            time.sleep(poll)

    def _look_after(self, child: Child) -> None:
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                self._start(child)
            return
        assert child.process is not None
        code = child.process.poll()
        if code is None:
            return
        if now - child.started >= STEADY_SECONDS:
            child.backoff.reset()
        delay = child.backoff.next_delay()
        child.restart_at = now + delay
        self.say(f"Faktura: the {child.name} stopped ({exit_reason(code)}); it starts again in "
                 f"{delay:.0f} s.")  # fmt: skip

    def _stop_children(self) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
