from django.apps import AppConfig


class QuickBooksConfig(AppConfig):
    name = "faktura.quickbooks"
    label = "quickbooks"
    verbose_name = "QuickBooks Online"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from faktura.quickbooks import actions  # noqa: F401  (registers the workflow actions)
        from faktura.quickbooks.panels import register

        # Deal, quote and payment pages show a "QuickBooks" card through core's panel registry.
        register()
