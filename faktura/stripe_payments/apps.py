from django.apps import AppConfig


class StripePaymentsConfig(AppConfig):
    name = "faktura.stripe_payments"
    label = "stripe_payments"
    verbose_name = "Stripe payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from faktura.stripe_payments import buyer_state, checkout_sessions, panels

        # The buyer page's Pay (through invoices' provider registry), the "invoice" completer,
        # and the refunds card on payment pages.
        buyer_state.register()
        checkout_sessions.register_invoice_completer()
        panels.register()
