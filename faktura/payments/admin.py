from django.contrib import admin

from faktura.core.admin_readonly import ReadOnlyAdmin
from faktura.payments.models import Payment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "amount", "currency", "paid_on", "method", "processor", "status")
    list_filter = ("processor", "status", "method")
