from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "faktura.accounts"
    label = "accounts"
