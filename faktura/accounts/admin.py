from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from faktura.accounts.models import AccountSettings, User


@admin.register(User)
class FakturaUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Faktura", {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_active")


@admin.register(AccountSettings)
class AccountSettingsAdmin(admin.ModelAdmin):
    """Read-only: settings change through accounts.services, which validates them."""

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
