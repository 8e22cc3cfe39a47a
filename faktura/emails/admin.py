from django.contrib import admin

from faktura.core.admin_readonly import ReadOnlyAdmin
from faktura.emails.models import ConnectedInbox, OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "subject", "from_address", "status", "attempts", "sent_at")
    list_filter = ("kind", "status")
    exclude = ("html_body",)


@admin.register(ConnectedInbox)
class ConnectedInboxAdmin(ReadOnlyAdmin):
    list_display = ("address", "name", "shared")
