from django.contrib import admin

from faktura.core.admin_readonly import ReadOnlyAdmin
from faktura.listings.models import Export, SavedView


@admin.register(SavedView)
class SavedViewAdmin(ReadOnlyAdmin):
    list_display = ("id", "object_type", "name", "owner", "shared", "updated_at")
    list_filter = ("object_type", "shared")


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ("id", "object_type", "owner", "format", "status", "rows_done", "created_at")
    list_filter = ("status", "format", "object_type")
