from django.contrib import admin

from faktura.core.admin_readonly import ReadOnlyAdmin
from faktura.invoices.models import Checkout, Invoice


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("id", "number", "status", "currency", "total", "balance_due", "due_date")
    list_filter = ("status", "currency")
    search_fields = ("number",)


@admin.register(Checkout)
class CheckoutAdmin(ReadOnlyAdmin):
    list_display = ("id", "invoice", "status", "amount", "currency", "created_at")
