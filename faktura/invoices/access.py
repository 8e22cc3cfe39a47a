"""What every invoice view starts with: the record (or 404) and the right to change it (or 403)."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from faktura.accounts.permissions import can_edit_invoices
from faktura.core.actors import Actor
from faktura.core.web import actor_for, forbid_unless, is_htmx
from faktura.invoices.models import Invoice


def invoice_or_404(pk: int) -> Invoice:
    return get_object_or_404(Invoice, pk=pk)


def editing_actor(request: HttpRequest) -> Actor:
    """The acting user, who must be allowed to change invoices: a viewer gets 403 here, before
    anything is read or written. Payments count too: they change an invoice's balance."""
    actor = actor_for(request)
    forbid_unless(can_edit_invoices(actor))
    return actor


def dialog_status(request: HttpRequest, error: str) -> int:
    # HTMX swaps only successful answers: a refused form is shown again inside the dialog.
    return 400 if error and not is_htmx(request) else 200
