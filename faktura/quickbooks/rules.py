"""Who may connect QuickBooks, and whether a connection can be used now."""

from django.utils.translation import gettext as _

from faktura.accounts.permissions import can_manage_settings
from faktura.core.actors import Actor
from faktura.core.errors import ALLOWED, Decision, refuse
from faktura.quickbooks import oauth
from faktura.quickbooks.models import ConnectionStatus, QuickBooksConnection


def can_manage_quickbooks(actor: Actor) -> Decision:
    """Connections hold the keys to the company's books: super admins only."""
    if not (allowed := can_manage_settings(actor)):
        return refuse(
            _("Only a super admin can connect, change or disconnect QuickBooks companies."),
            "permission_denied",
        )
    return allowed


def can_connect(actor: Actor) -> Decision:
    if not (allowed := can_manage_quickbooks(actor)):
        return allowed
    if not oauth.is_configured():
        return refuse(
            _("Faktura has no QuickBooks app keys yet. Set QUICKBOOKS_CLIENT_ID and "
            "QUICKBOOKS_CLIENT_SECRET (from Intuit's developer portal) and restart; see "
            "docs/quickbooks.md."), "not_configured",
        )  # fmt: skip
    return ALLOWED


def can_use(connection: QuickBooksConnection) -> Decision:
    """Whether calls may be made for the company now, and if not what to do."""
    if connection.status == ConnectionStatus.CONNECTED:
        return ALLOWED
    if connection.status == ConnectionStatus.DISCONNECTED:
        return refuse(
            _("The QuickBooks company %(name)s is disconnected. Connect it again in Settings → "
            "QuickBooks.") % {"name": connection.company_name}, "reconnect",
        )  # fmt: skip
    return refuse(
        connection.status_message
        or _("Reconnect QuickBooks (%(name)s) in Settings → QuickBooks.")
        % {"name": connection.company_name},
        "reconnect",
    )
