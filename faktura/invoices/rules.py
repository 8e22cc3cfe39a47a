"""Which invoice actions are allowed, and why not (SPEC sections 1–4).

Each check returns a Decision; the UI shows its reason on a disabled action, the API returns
it as a 4xx error, and the service raises it after locking the invoice.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from faktura.accounts.permissions import can_edit_invoices
from faktura.accounts.services import get_account_settings
from faktura.core.actors import Actor
from faktura.core.errors import ALLOWED, Decision, refuse
from faktura.core.money import format_money
from faktura.crm.models import Company, Contact
from faktura.history.records import not_archived
from faktura.invoices.models import Invoice, InvoiceStatus
from faktura.payments.models import COLLECTED, Payment


def _payments(invoice: Invoice) -> list[Payment]:
    return [applied.payment for applied in invoice.applied_payments.select_related("payment")]


def can_finalize(invoice: Invoice, actor: Actor) -> Decision:
    if not (decision := can_edit_invoices(actor)):
        return decision
    if invoice.status != InvoiceStatus.DRAFT:
        return refuse(f"Invoice {invoice.number} is already finalized.", "invalid_state")
    return check_content(invoice)


def check_content(invoice: Invoice) -> Decision:
    """What a finalized invoice must have: someone to bill, something to bill, sane dates."""
    missing = []
    if not invoice.contacts.exists():
        missing.append("at least one contact")
    if not invoice.lines.exists():
        missing.append("at least one line item")
    if missing:
        return refuse(
            f"Add {' and '.join(missing)}: a finalized invoice needs someone to bill "
            "and something to bill for.",
            "incomplete",
        )
    if invoice.total <= 0:
        return refuse(
            f"The invoice total is {format_money(invoice.total, invoice.currency)}; an invoice "
            "must be for more than zero.",
            "incomplete",
        )
    if invoice.due_date < invoice.invoice_date:
        return refuse(
            f"The due date {invoice.due_date} is before the invoice date {invoice.invoice_date}.",
            "invalid_date",
        )
    return ALLOWED


def can_edit(invoice: Invoice, actor: Actor) -> Decision:
    """Drafts are editable by editors; finalized invoices only under INV-6…INV-10."""
    if not (decision := can_edit_invoices(actor)):
        return decision
    if invoice.from_subscription:
        return refuse(
            "This invoice was created by a subscription and cannot be edited. "
            "Change the subscription instead.",
            "subscription_invoice",
        )
    if invoice.status == InvoiceStatus.DRAFT:
        return ALLOWED
    if invoice.status == InvoiceStatus.VOIDED:
        return refuse(f"Invoice {invoice.number} is voided and cannot be edited.", "invalid_state")
    if payments := _payments(invoice):
        return refuse(
            ngettext(
                "Invoice %(number)s has %(count)s payment on it and cannot be edited.",
                "Invoice %(number)s has %(count)s payments on it and cannot be edited.",
                len(payments),
            )
            % {"number": invoice.number, "count": len(payments)},
            "has_payments",
        )
    if not get_account_settings().allow_editing_finalized_invoices:
        return refuse(
            "Editing finalized invoices is turned off. A super admin can turn on "
            "'Allow editing finalized invoices' in the settings.",
            "setting_off",
        )
    return ALLOWED


def can_assign_owner(invoice: Invoice, actor: Actor) -> Decision:
    return can_edit_invoices(actor)


def can_clone(invoice: Invoice, actor: Actor) -> Decision:
    return can_edit_invoices(actor)


def can_delete(invoice: Invoice, actor: Actor) -> Decision:
    if not (decision := can_edit_invoices(actor)):
        return decision
    if invoice.status == InvoiceStatus.DRAFT:
        return ALLOWED
    if not get_account_settings().allow_deleting_invoices:
        return refuse(
            "Deleting finalized invoices is turned off. A super admin can turn on "
            "'Allow deleting invoices' in the settings.",
            "setting_off",
        )
    if _payments(invoice) or invoice.status == InvoiceStatus.PAID:
        return refuse(
            f"Invoice {invoice.number} has payments on it. Only unpaid invoices can be deleted.",
            "has_payments",
        )
    return ALLOWED


def can_void(invoice: Invoice, actor: Actor) -> Decision:
    if not (decision := can_edit_invoices(actor)):
        return decision
    if invoice.status == InvoiceStatus.DRAFT:
        return refuse("A draft cannot be voided. Delete the draft instead.", "invalid_state")
    if invoice.status == InvoiceStatus.VOIDED:
        return refuse(f"Invoice {invoice.number} is already voided.", "invalid_state")
    payments = _payments(invoice)
    if any(p.is_online for p in payments):
        return refuse(
            f"Invoice {invoice.number} received an online payment and cannot be voided, "
            "even if the payment was refunded.",
            "online_payment",
        )
    if payments:
        amounts = ", ".join(format_money(p.amount, p.currency) for p in payments)
        return refuse(
            f"Invoice {invoice.number} has a manual payment of {amounts}. "
            "Delete the payment before voiding the invoice.",
            "has_payments",
        )
    return ALLOWED


def can_send(invoice: Invoice, actor: Actor) -> Decision:
    """Email the invoice to the buyer (INV-18, INV-28)."""
    if not (decision := can_edit_invoices(actor)):
        return decision
    if invoice.status == InvoiceStatus.DRAFT:
        return refuse("Finalize the invoice to send it.", "invalid_state")
    if invoice.status == InvoiceStatus.VOIDED:
        return refuse(
            f"Invoice {invoice.number} is voided and is not sent any more.", "invalid_state"
        )
    return ALLOWED


def can_record_payment(invoice: Invoice, actor: Actor) -> Decision:
    if not (decision := can_edit_invoices(actor)):
        return decision
    if invoice.status == InvoiceStatus.DRAFT:
        return refuse("Finalize the invoice before recording a payment.", "invalid_state")
    if invoice.status == InvoiceStatus.VOIDED:
        return refuse(
            f"Invoice {invoice.number} is voided and can no longer take a payment.", "invalid_state"
        )
    if invoice.status == InvoiceStatus.PAID or invoice.balance_due <= 0:
        return refuse(f"Invoice {invoice.number} is already paid in full.", "invalid_state")
    return ALLOWED


def can_start_checkout(invoice: Invoice) -> Decision:
    if invoice.status != InvoiceStatus.OPEN or invoice.balance_due <= 0:
        return refuse(
            "This invoice cannot be paid online: it is not open for payment.", "invalid_state"
        )
    return ALLOWED


def can_change_associations(invoice: Invoice, actor: Actor) -> Decision:
    """Contacts and companies are on the buyer's invoice: a finalized one follows can_edit."""
    if not (decision := can_edit_invoices(actor)):
        return decision
    if invoice.status == InvoiceStatus.VOIDED:
        return refuse(
            f"Invoice {invoice.number} is voided: its contacts and companies can no longer change.",
            "invalid_state",
        )
    return can_edit(invoice, actor)


def is_associated(invoice: Invoice, record: Contact | Company) -> bool:
    related = invoice.contacts if isinstance(record, Contact) else invoice.companies
    return related.filter(pk=record.pk).exists()


def can_add_association(invoice: Invoice, record: Contact | Company, actor: Actor) -> Decision:
    """A contact or company joins the invoice: not an archived one, not twice."""
    if not (decision := can_change_associations(invoice, actor)):
        return decision
    if not (decision := not_archived(record, to="be added to an invoice")):
        return decision
    if is_associated(invoice, record):
        already = (
            _("{name} is already a contact on this invoice.")
            if isinstance(record, Contact)
            else _("{name} is already a company on this invoice.")
        )
        return refuse(already.format(name=record), "already_associated")
    return ALLOWED


def can_remove_association(invoice: Invoice, record: Contact | Company, actor: Actor) -> Decision:
    """Any associated contact or company can leave, archived ones included."""
    if not (decision := can_change_associations(invoice, actor)):
        return decision
    if not is_associated(invoice, record):
        absent = (
            _("{name} is not a contact on this invoice.")
            if isinstance(record, Contact)
            else _("{name} is not a company on this invoice.")
        )
        return refuse(absent.format(name=record), "not_associated")
    return ALLOWED


def can_bill(invoice: Invoice, record: Contact | Company, actor: Actor) -> Decision:
    """DOC-2: the billed company or the billing contact is one of the invoice's own."""
    return can_remove_association(invoice, record, actor)


def can_delete_payment(payment: Payment, actor: Actor) -> Decision:
    """A manual payment can be deleted (INV-13); money collected online stays on record."""
    if not (decision := can_edit_invoices(actor)):
        return decision
    if payment.is_online:
        return refuse(
            f"Payment {payment.pk} was collected online and cannot be deleted. Refund it instead.",
            "online_payment",
        )
    return ALLOWED


def can_send_receipt(payment: Payment, actor: Actor) -> Decision:
    """A receipt is sent on request, for money received (INV-12)."""
    if not (decision := can_edit_invoices(actor)):
        return decision
    if payment.status not in COLLECTED:
        return refuse(
            f"Payment {payment.pk} is {payment.get_status_display().lower()}: a receipt is for "
            "money received.",
            "invalid_state",
        )
    return ALLOWED
