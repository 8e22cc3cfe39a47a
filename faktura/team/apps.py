from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "faktura.team"
    label = "team"
