"""Whether the worker that claimed a task row is still alive: its heartbeat row is fresh, and,
on this machine, its process still runs (so a worker killed here is known dead at once)."""

import datetime as dt
import os
import socket
from pathlib import Path

from faktura.workers.models import WorkerBeat

BEAT_EVERY = dt.timedelta(seconds=10)
# A worker whose last beat is older than this is presumed dead, wherever it ran.
LEASE = dt.timedelta(minutes=2)

HOST = socket.gethostname()


def process_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    stat = Path(f"/proc/{pid}/stat")
    try:
        # A killed process nobody has waited for yet is a zombie: dead all the same.
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def is_dead(beat: WorkerBeat | None, claimed_at: dt.datetime | None, now: dt.datetime) -> bool:
    """`beat` is the claiming worker's row; none for a worker that is not ours (a plain
    `db_worker`) or that stopped cleanly: then only time since the claim can tell."""
    if beat is None:
        return claimed_at is None or claimed_at < now - LEASE
    if beat.host == HOST and not process_running(beat.pid):
        return True
    return beat.beat_at < now - LEASE
