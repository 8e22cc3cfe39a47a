"""The invoice's Actions menu: which operations a user sees, and why one is disabled.

Drafts: Edit, View property history, Clone, Delete. Finalized: Edit, Record payment, View
invoice, View property history, Copy link, Send, Download, Clone, Delete, Void (INV-4, INV-15…23).
"""

from dataclasses import dataclass

from faktura.core.actors import Actor
from faktura.core.errors import ALLOWED, Decision, refuse
from faktura.invoices import rules
from faktura.invoices.models import Invoice, InvoiceStatus


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    decision: Decision


def _finalized(invoice: Invoice, what: str) -> Decision:
    if invoice.status == InvoiceStatus.DRAFT:
        return refuse(f"Finalize the invoice to {what}.", "invalid_state")
    return ALLOWED


def invoice_menu(invoice: Invoice, actor: Actor) -> list[MenuItem]:
    history = MenuItem("history", "View property history", ALLOWED)
    edit = MenuItem("edit", "Edit", rules.can_edit(invoice, actor))
    clone = MenuItem("clone", "Clone", rules.can_clone(invoice, actor))
    delete = MenuItem("delete", "Delete", rules.can_delete(invoice, actor))
    if invoice.status == InvoiceStatus.DRAFT:
        return [edit, history, clone, delete]
    return [
        edit,
        MenuItem("record_payment", "Record payment", rules.can_record_payment(invoice, actor)),
        MenuItem("view", "View invoice", ALLOWED),
        history,
        MenuItem("copy_link", "Copy link", ALLOWED),
        MenuItem("send", "Send", rules.can_send(invoice, actor)),
        MenuItem("download", "Download", ALLOWED),
        clone,
        delete,
        MenuItem("void", "Void", rules.can_void(invoice, actor)),
    ]
