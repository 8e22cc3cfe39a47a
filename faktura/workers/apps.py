from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "faktura.workers"
    label = "workers"
    verbose_name = "Task workers"
