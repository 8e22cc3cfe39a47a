from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "faktura.workflows"
    label = "workflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The built-in action types register themselves on import.
        from faktura.workflows import actions  # noqa: F401
        from faktura.workflows.record_panel import register

        # Record pages show a "Workflows" card through core's panel registry (no import back).
        register()
