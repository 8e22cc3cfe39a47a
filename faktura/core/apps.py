from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "faktura.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib import admin

        from faktura.core.admin_readonly import make_read_only

        # The admin app, first in INSTALLED_APPS, has registered every app's admin by now.
        make_read_only(admin.site)
