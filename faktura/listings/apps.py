from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "faktura.listings"
    label = "listings"
    verbose_name = "Index pages"
