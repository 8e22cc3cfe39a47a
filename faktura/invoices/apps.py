from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "faktura.invoices"
    label = "invoices"

    def ready(self) -> None:
        from faktura.invoices import properties  # noqa: F401  (registers the object type)
