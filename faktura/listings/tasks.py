"""Background work of the index pages: thin tasks that load a row and call a service."""

from django.tasks import task

from faktura.listings import services


@task()
def run_export_task(export_id: int) -> str:
    return services.run_export(export_id)
