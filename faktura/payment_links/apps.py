from django.apps import AppConfig


class PaymentLinksConfig(AppConfig):
    name = "faktura.payment_links"
    label = "payment_links"
    verbose_name = "Payment links"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from faktura.payment_links import checkout, panels

        # Deal pages show the payments that closed them (a payment link's deal).
        panels.register()
        # stripe_payments' webhook applier completes "payment_link" sessions through us.
        checkout.register()
