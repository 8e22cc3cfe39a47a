"""The emails the invoices app sends: an invoice (INV-18, INV-28) and a payment receipt (INV-12).

The buyer gets the invoice's details, its link and its PDF. Each email is a row delivered by a
task; the last sent date and the edit log follow when the mail server accepts it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string

from faktura.accounts.models import User
from faktura.accounts.services import adopt_default_from_email, get_account_settings
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.locales import format_amount, format_day
from faktura.core.properties import object_type_for
from faktura.crm import services as crm
from faktura.crm.models import Contact
from faktura.emails.addresses import clean_address, clean_addresses
from faktura.emails.models import EmailKind, EmailStatus, OutboundEmail
from faktura.emails.queries import emails_about, inboxes_for
from faktura.emails.services import Attachment, Sender, queue_email
from faktura.history import services as history
from faktura.history.models import Entry
from faktura.invoices import online_payment, rules
from faktura.invoices.documents import (
    invoice_version,
    receipt_facts,
    receipt_pdf,
    rendered_invoice_pdf,
)
from faktura.invoices.issued import seller_of
from faktura.invoices.lock_objects import invoice_for_update
from faktura.invoices.models import Invoice
from faktura.invoices.properties import INVOICE
from faktura.invoices.property_values import public_url
from faktura.payments.models import Payment

MAX_CC = 9


@dataclass(frozen=True)
class FromAddress:
    address: str
    label: str


def from_addresses(actor: Actor) -> list[FromAddress]:
    """The addresses this user may send an invoice from, the one to prefill first (INV-28):
    the default from the settings; with none set, or when the settings let users pick, also
    their own address and the team inboxes they have access to."""
    account = get_account_settings()
    user = actor.user if isinstance(actor.user, User) else None
    choices: list[FromAddress] = []
    if account.default_from_email:
        choices.append(FromAddress(account.default_from_email, "Default for invoices"))
    if user is not None and (not choices or account.allow_personal_from_addresses):
        if user.email:
            choices.append(FromAddress(user.email, "Your address"))
        choices += [FromAddress(i.address, str(i)) for i in inboxes_for(user)]
    unique: dict[str, FromAddress] = {}
    for choice in choices:
        unique.setdefault(choice.address.lower(), choice)
    return list(unique.values())


def default_recipient(invoice: Invoice) -> Contact | None:
    """The invoice's first contact with an email address (the billing contact)."""
    return next((c for c in invoice.contacts_in_order() if c.email), None)


def default_subject(invoice: Invoice) -> str:
    return f"Invoice {invoice.number} from {seller_of(invoice).name}"


def default_message(invoice: Invoice) -> str:
    contact = default_recipient(invoice)
    greeting = f"Hello {contact.first_name}," if contact and contact.first_name else "Hello,"
    due = f" by {format_day(invoice.due_date, invoice.locale)}" if invoice.due_date else ""
    amount = format_amount(invoice.balance_due, invoice.currency, invoice.locale)
    return (
        f"{greeting}\n\nHere is invoice {invoice.number} for {amount}, due{due}. You can view "
        "and pay it online at the link below; the PDF is attached.\n\n"
        f"Thank you,\n{seller_of(invoice).name}"
    )


def send_invoice(
    invoice: Invoice,
    *,
    actor: Actor,
    to: str,
    from_address: str,
    subject: str,
    message: str,
    cc: Sequence[str] = (),
) -> OutboundEmail:
    """Queue the invoice email to one recipient and up to nine in CC (INV-28)."""
    recipient = clean_address(to, field="To")
    copies = [a for a in clean_addresses(cc, field="CC") if a.lower() != recipient.lower()]
    if len(copies) > MAX_CC:
        raise RuleViolation(
            f"An invoice can be copied to at most {MAX_CC} addresses; remove "
            f"{len(copies) - MAX_CC} of the {len(copies)} in CC.",
            code="too_many_cc",
        )
    allowed = {choice.address.lower(): choice for choice in from_addresses(actor)}
    sender = allowed.get(from_address.strip().lower())
    if sender is None:
        raise RuleViolation(_from_refusal(from_address, list(allowed.values())), code="from")
    require(rules.can_send(invoice, actor))
    # Rendered before the lock: a long invoice's render would hold the write lock for seconds.
    rendered = rendered_invoice_pdf(invoice)
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_send(invoice, actor))
        if invoice_version(invoice) != rendered.version:  # changed meanwhile: send what it is now
            rendered = rendered_invoice_pdf(invoice)
        if not Contact.objects.filter(email__iexact=recipient).exists():
            crm.create_contact(actor=actor, email=recipient)
        adopt_default_from_email(sender.address)
        seller = seller_of(invoice).name
        context = {
            "invoice": invoice,
            "message": message.strip(),
            "link": public_url(invoice),
            # PAY-1: with Stripe connected the buyer page has Pay; the email says so.
            "can_pay": bool(online_payment.pay_url(invoice)),
            "amount_due": format_amount(invoice.balance_due, invoice.currency, invoice.locale),
            "due_date": format_day(invoice.due_date, invoice.locale),
            "company": seller,
        }
        return queue_email(
            actor=actor,
            kind=EmailKind.INVOICE,
            about=invoice,
            sender=Sender(sender.address, seller),
            to=[recipient],
            cc=copies,
            subject=subject,
            text=render_to_string("invoices/email/invoice.txt", context),
            html=render_to_string("invoices/email/invoice.html", context),
            attachments=[Attachment(rendered.filename, "application/pdf", rendered.content)],
            deliver_with=_delivery_task(),
        )


def _delivery_task() -> object:
    from faktura.invoices.tasks import deliver_invoice_email_task

    return deliver_invoice_email_task


def _from_refusal(address: str, allowed: list[FromAddress]) -> str:
    if not allowed:
        return (
            "There is no address to send from: a super admin can set the default From address "
            "in Settings, or add an email address to your user."
        )
    choices = ", ".join(choice.address for choice in allowed)
    return f"You cannot send invoices from '{address.strip()}'. Send from {choices}."


def record_delivery(email: OutboundEmail) -> None:
    """What the invoice keeps of a delivered email: its last sent date and an edit-log entry
    naming who sent it to whom (INV-28, INV-32), or the server's reason when it failed.
    Safe to run twice for the same email."""
    if email.status not in (EmailStatus.SENT, EmailStatus.FAILED):
        return
    with transaction.atomic():
        try:
            invoice = invoice_for_update(email.object_id)
        except RuleViolation:  # deleted since: nothing left to record on
            return
        event = _delivery_event(email, "invoice.email")
        if _recorded(invoice, event, email):
            return
        if email.status == EmailStatus.SENT:
            before = INVOICE.snapshot(invoice)
            invoice.last_sent_at = email.sent_at
            invoice.save(update_fields=["last_sent_at", "updated_at"])
            history.record_changes(invoice, before, INVOICE.snapshot(invoice), actor=email.actor())
        _record(invoice, event, email)


# --- receipts (INV-12) -----------------------------------------------------------------------


def receipt_recipient(payment: Payment) -> str:
    """Where a receipt goes by default: the payer's email on the payment, else its contact's."""
    return payment.customer_email or (payment.contact.email if payment.contact else "")


def send_receipt(payment: Payment, *, actor: Actor, to: str = "") -> OutboundEmail:
    """Email the payer a receipt with its PDF; manual payments get one only on request."""
    require(rules.can_send_receipt(payment, actor))
    recipient = clean_address(to or receipt_recipient(payment), field="To")
    account = get_account_settings()
    user = actor.user if isinstance(actor.user, User) else None
    sender = account.default_from_email or (user.email if user else "")
    if not sender:
        raise RuleViolation(
            "There is no address to send receipts from: a super admin can set the default From "
            "address in Settings.",
            code="from",
        )
    context = receipt_facts(payment)
    filename, pdf = receipt_pdf(payment)
    seller = context["seller"].name
    return queue_email(
        actor=actor,
        kind=EmailKind.RECEIPT,
        about=payment,
        sender=Sender(sender, seller),
        to=[recipient],
        subject=f"Receipt for your payment of {context['amount']} to {seller}",
        text=render_to_string("invoices/email/receipt.txt", context),
        html=render_to_string("invoices/email/receipt.html", context),
        attachments=[Attachment(filename, "application/pdf", pdf)],
        deliver_with=_receipt_task(),
    )


def send_automatic_receipt(payment_id: int) -> str:
    """The receipt a buyer gets after paying online, without anyone asking (INV-12 keeps manual
    payments silent). Once per payment, however often it runs; says why when it sends none."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None:
            return "not sent: the payment was deleted"
        if emails_about(payment).filter(kind=EmailKind.RECEIPT).exists():
            return "already sent"
        if not receipt_recipient(payment):
            return "not sent: the payment has no payer email or contact with an email"
        try:
            send_receipt(payment, actor=Actor.system("Online payment receipt"))
        except RuleViolation as refusal:
            return f"not sent: {refusal.reason}"
    return "queued"


def send_receipt_later(payment: Payment) -> None:
    """Queue the automatic receipt once the payment is committed."""
    from faktura.invoices.tasks import send_automatic_receipt_task

    pk = payment.pk
    transaction.on_commit(lambda: send_automatic_receipt_task.enqueue(pk))


def _receipt_task() -> object:
    from faktura.invoices.tasks import deliver_receipt_email_task

    return deliver_receipt_email_task


def record_receipt_delivery(email: OutboundEmail) -> None:
    """The payment's edit log names who sent its receipt to whom, or why it failed."""
    if email.status not in (EmailStatus.SENT, EmailStatus.FAILED):
        return
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=email.object_id).first()
        event = _delivery_event(email, "payment.receipt")
        if payment is not None and not _recorded(payment, event, email):
            _record(payment, event, email)


def _delivery_event(email: OutboundEmail, prefix: str) -> str:
    return f"{prefix}_sent" if email.status == EmailStatus.SENT else f"{prefix}_failed"


def _recorded(record: Invoice | Payment, event: str, email: OutboundEmail) -> bool:
    entries = Entry.objects.for_object(object_type_for(record).singular, record.pk)
    return entries.filter(event_type=event, data__email_id=email.pk).exists()


def _record(record: Invoice | Payment, event: str, email: OutboundEmail) -> None:
    history.record_event(
        record,
        event,
        actor=email.actor(),
        data={
            "email_id": email.pk,
            "to": email.to,
            "cc": email.cc,
            "from": email.from_address,
            "reason": email.last_error,
        },
    )
