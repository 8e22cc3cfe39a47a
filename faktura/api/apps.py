from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "faktura.api"
    label = "api"
    verbose_name = "API"
