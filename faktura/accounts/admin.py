from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from faktura.accounts.models import AccountSettings, User
from faktura.core.admin_readonly import ReadOnlyAdmin


@admin.register(User)
class FakturaUserAdmin(ReadOnlyAdmin, UserAdmin):
    """Read-only: users are invited and changed in Settings → Users (faktura.team), whose rules
    keep at least one active super admin."""

    fieldsets = (*(UserAdmin.fieldsets or ()), ("Faktura", {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_active")


@admin.register(AccountSettings)
class AccountSettingsAdmin(ReadOnlyAdmin):
    """Read-only: settings change through accounts.services, which validates them."""
