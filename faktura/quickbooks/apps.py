from django.apps import AppConfig


class QuickBooksConfig(AppConfig):
    name = "faktura.quickbooks"
    label = "quickbooks"
    verbose_name = "QuickBooks Online"
    default_auto_field = "django.db.models.BigAutoField"
