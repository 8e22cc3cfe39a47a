from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "faktura.payments"
    label = "payments"

    def ready(self) -> None:
        from faktura.payments import (
            properties,  # noqa: F401  (registers the object type)
            record_services,
        )

        record_services.declare()
