"""Background work of the index pages: thin tasks that load a row and call a service."""

from django.tasks import TaskContext, task

from faktura.listings import services


@task(takes_context=True)
def run_export_task(context: TaskContext, export_id: int) -> str:
    # A later attempt of the same task row: the worker of the first died during it
    # (faktura.workers.recovery), so the export it left running is nobody's.
    return services.run_export(export_id, retaking=context.attempt > 1)
