from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "faktura.invoices"
    label = "invoices"

    def ready(self) -> None:
        from faktura.emails.inserts import InsertSource, insert_sources
        from faktura.invoices import (
            properties,  # noqa: F401  (registers the object type)
            record_services,
        )

        # INV-30: one-to-one emails can insert an invoice's link.
        insert_sources.register("invoice", InsertSource("Invoice", "/invoices/insert/"))
        # Its services and associations, for the API and workflow actions.
        record_services.declare()
