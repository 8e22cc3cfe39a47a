from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "faktura.emails"
    label = "emails"
