"""Background work for QuickBooks: thin tasks, safe to run twice."""

from django.tasks import task

from faktura.quickbooks import product_sync


@task()
def sync_products(run_id: int) -> str:
    """Run a queued product sync (QB-5)."""
    return product_sync.run_product_sync(run_id).status
