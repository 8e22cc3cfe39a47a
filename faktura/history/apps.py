from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "faktura.history"
    label = "history"
