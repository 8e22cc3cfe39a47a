from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "faktura.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from faktura.accounts.lockout import forget_failures_on_sign_in

        user_logged_in.connect(forget_failures_on_sign_in, dispatch_uid="faktura-forget-failures")
