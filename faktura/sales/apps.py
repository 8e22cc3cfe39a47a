from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "faktura.sales"
    label = "sales"

    def ready(self) -> None:
        from faktura.sales import (
            properties,  # noqa: F401  (registers the object types)
            record_services,
        )

        record_services.declare()
