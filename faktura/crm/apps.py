from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "faktura.crm"
    label = "crm"

    def ready(self) -> None:
        from faktura.crm import (
            properties,  # noqa: F401  (registers the object types)
            record_services,
        )

        record_services.declare()
