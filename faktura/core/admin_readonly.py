"""Django admin for operators: every record is read-only there, users and groups included;
changes go through the services, which check who may make them and record them in history."""

from typing import Any

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


def make_read_only(site: admin.AdminSite) -> None:
    """Make every model admin registered on `site` read-only, those of other packages too
    (django.contrib.auth's groups, the task queue's results). Called once every app's admin
    module is imported."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, ReadOnlyAdmin):
            continue
        kind = type(model_admin)
        site.unregister(model)
        site.register(model, type(f"ReadOnly{kind.__name__}", (ReadOnlyAdmin, kind), {}))
