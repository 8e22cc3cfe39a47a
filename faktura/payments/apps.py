from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "faktura.payments"
    label = "payments"

    def ready(self) -> None:
        from faktura.payments import properties  # noqa: F401  (registers the object type)
