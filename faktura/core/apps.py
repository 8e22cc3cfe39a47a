from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "faktura.core"
    label = "core"
