"""Queueing and delivering outbound email.

A send is a row first (with its attachments), written in the caller's transaction; a task
delivers it over SMTP (Django's MAILERS), retries a server that is down or answers "try later",
and keeps the server's reason when it gives up. Delivering twice is harmless: a sent or failed
row is left alone.
"""

import datetime as dt
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr, make_msgid
from typing import Any

from django.core.mail import EmailMultiAlternatives, mailers
from django.db import models, transaction
from django.utils import timezone

from faktura.accounts.permissions import can_manage_settings
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.properties import record_type
from faktura.emails.addresses import clean_address, clean_addresses
from faktura.emails.models import (
    ConnectedInbox,
    EmailStatus,
    OutboundAttachment,
    OutboundEmail,
)

MAX_ATTEMPTS = 5
# Waits before the 2nd, 3rd, 4th and 5th attempt.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
)


@dataclass(frozen=True)
class Sender:
    address: str
    name: str = ""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


def queue_email(
    *,
    actor: Actor,
    kind: str,
    about: models.Model,
    sender: Sender,
    to: Sequence[str],
    subject: str,
    text: str,
    cc: Sequence[str] = (),
    html: str = "",
    attachments: Sequence[Attachment] = (),
    deliver_with: Any = None,
) -> OutboundEmail:
    """Store an email and deliver it once the caller's transaction commits.

    `deliver_with` is the task that delivers it (default: `emails.tasks.deliver_email_task`); an
    app passes its own to act when the server accepts the email."""
    from faktura.emails.tasks import deliver_email_task

    recipients = clean_addresses(to, field="To")
    if not recipients:
        raise RuleViolation("Add at least one recipient.", code="invalid_email")
    to_lower = {a.lower() for a in recipients}  # an address in To is not copied again
    from_address = clean_address(sender.address, field="From")
    subject = subject.strip()
    if not subject:
        raise RuleViolation("Give the email a subject.")
    if "\n" in subject or "\r" in subject:
        raise RuleViolation("The subject must be a single line.")
    user = actor.user if actor.user is not None and actor.user.pk else None
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            kind=kind,
            object_type=record_type(about),
            object_id=about.pk,
            from_address=from_address,
            from_name=sender.name,
            reply_to=from_address,
            to=recipients,
            cc=[a for a in clean_addresses(cc, field="CC") if a.lower() not in to_lower],
            subject=subject,
            text_body=text,
            html_body=html,
            message_id=make_msgid(domain=from_address.rpartition("@")[2]),
            actor_kind=actor.kind,
            actor_user_id=user.pk if user else None,
            actor_label=actor.label,
        )
        OutboundAttachment.objects.bulk_create(
            OutboundAttachment(
                email=email, filename=a.filename, content_type=a.content_type, content=a.content
            )
            for a in attachments
        )
        task = deliver_with or deliver_email_task
        transaction.on_commit(lambda: task.enqueue(email.pk))
    return email


def deliver_email(email_id: int) -> OutboundEmail:
    """Hand the email to the SMTP server; record acceptance, a retry, or the final refusal."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().get(pk=email_id)
        if email.status in (EmailStatus.SENT, EmailStatus.FAILED):
            return email
        email.attempts += 1
        try:
            mailers.default.send_messages([_message(email)])
        except (smtplib.SMTPException, OSError) as error:
            email.last_error = _reason(error)
            if _permanent(error) or email.attempts >= MAX_ATTEMPTS:
                email.status, email.next_attempt_at = EmailStatus.FAILED, None
            else:
                email.status = EmailStatus.RETRYING
                email.next_attempt_at = timezone.now() + RETRY_DELAYS[email.attempts - 1]
        else:
            email.status, email.sent_at = EmailStatus.SENT, timezone.now()
            email.last_error, email.next_attempt_at = "", None
        email.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    return email


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=formataddr((email.from_name, email.from_address)),
        to=email.to,
        cc=email.cc,
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={"Message-ID": email.message_id},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for attachment in email.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    return message


def _permanent(error: Exception) -> bool:
    """A 5xx answer will not change by asking again (unknown mailbox, message refused)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _reason(error: Exception) -> str:
    """The server's own words, for the record page."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {_text(message)}"
            for address, (code, message) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"The mail server answered {error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException):
        return f"Could not reach the mail server: {error}"
    return f"The mail server refused the email: {error}"


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else message


# --- connected inboxes (super admins, in Settings) ---------------------------------------------


def save_inbox(
    *,
    actor: Actor,
    address: str,
    name: str = "",
    shared: bool = True,
    users: Sequence[Any] = (),
    inbox: ConnectedInbox | None = None,
) -> ConnectedInbox:
    """Connect an inbox, or change one: its name, and who may send from it."""
    require(can_manage_settings(actor))
    address = clean_address(address, field="Address")
    taken = ConnectedInbox.objects.filter(address__iexact=address)
    if inbox is not None:
        taken = taken.exclude(pk=inbox.pk)
    if taken.exists():
        raise RuleViolation(f"{address} is connected already; change that one instead.")
    with transaction.atomic():
        inbox = inbox or ConnectedInbox()
        inbox.address, inbox.name, inbox.shared = address, name.strip(), shared
        inbox.save()
        inbox.users.set(users)
    return inbox


def remove_inbox(inbox: ConnectedInbox, *, actor: Actor) -> None:
    """Disconnect an inbox; emails already sent from it keep their From address."""
    require(can_manage_settings(actor))
    inbox.delete()
