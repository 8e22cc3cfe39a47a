"""Workflow tasks: thin, safe to run twice (a step runs only if this worker claims it)."""

from django.tasks import task

from faktura.workflows import engine, feed


@task()
def run_step_task(step_run_id: int) -> str:
    return engine.run_step(step_run_id).status


@task()
def process_feed_task() -> int:
    """One pass over the change feed, then the recovery of steps whose worker died."""
    enrolled = feed.process_feed().enrolled
    engine.recover_stale_steps()
    return enrolled
