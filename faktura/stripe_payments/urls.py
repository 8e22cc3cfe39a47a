from django.urls import path

from faktura.stripe_payments import views

app_name = "stripe_payments"

urlpatterns = [
    path("settings/payments/", views.settings_page, name="settings"),
    path("stripe/webhook/", views.webhook, name="webhook"),
    path("i/<str:token>/pay/", views.pay_invoice, name="pay_invoice"),
    path("payments/<int:pk>/refund/", views.refund, name="refund"),
]
