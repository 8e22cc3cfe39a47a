"""Running work in real threads released at the same moment, for the concurrency tests on
PostgreSQL (each thread has its own database connection and closes it when done)."""

import threading
from collections.abc import Callable

from django.db import connection


def at_once(*workers: Callable[[], object]) -> list[object]:
    """Release the workers together (a barrier); return each one's result or exception, so the
    test's assertions show anything unexpected."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = workers[index]()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results
