"""Queueing and delivering outbound email.

A send is a row first (with its attachments), written in the caller's transaction; a task
delivers it over SMTP (Django's MAILERS), retries a server that is down, silent or answers "try
later", and keeps the server's reason when it gives up. No transaction is open while the server
is talked to. Delivering twice is harmless: a sent, failed or claimed row is left alone, and a
claim whose worker died is settled: tried again if the message never left, failed with the
reason if nobody can tell whether it arrived.
"""

import contextlib
import datetime as dt
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr, make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext, ngettext

from faktura.accounts.permissions import can_manage_settings
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.outside import external_call
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
    task = deliver_with or deliver_email_task
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
            delivered_by=task.module_path,
        )
        OutboundAttachment.objects.bulk_create(
            OutboundAttachment(
                email=email, filename=a.filename, content_type=a.content_type, content=a.content
            )
            for a in attachments
        )
        transaction.on_commit(lambda: task.enqueue(email.pk))
    return email


def deliver_email(email_id: int) -> OutboundEmail:
    """Hand the email to the mail server; record acceptance, a retry, or the final refusal.

    No transaction is open while the server is talked to (core.outside): the row is claimed
    (SENDING) and committed, the server gets at most the mailer's timeout per answer, and the
    outcome is recorded in a second short transaction. Running it again while another worker
    holds a recent claim does nothing; a claim older than the lease was left by a worker that
    died, and is settled honestly (`_settle_abandoned`)."""
    mailer = _mailer()
    claimed = _claim(email_id, _lease(mailer))
    if claimed is None:
        return OutboundEmail.objects.get(pk=email_id)
    message = _message(claimed)
    error: Exception | None = None
    try:
        with external_call("the mail server"):
            mailer.open()  # connect, greet, TLS, log in: nothing of the email has left yet
        if not _hand_over(claimed):
            return OutboundEmail.objects.get(pk=email_id)
        with external_call("the mail server"):
            mailer.send_messages([message])
    except (smtplib.SMTPException, OSError, ValueError) as failure:
        error = failure
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            mailer.close()  # after acceptance, a server that does not answer QUIT changes nothing
    return _record_outcome(claimed, error, getattr(mailer, "timeout", None))


def _mailer() -> Any:
    """The default mailer, never without a timeout: a server that accepts the connection and
    never answers is given up on after settings.SMTP_TIMEOUT seconds per answer."""
    mailer: Any = mailers.default
    if getattr(mailer, "timeout", 0) is None:  # an SMTP mailer configured without one
        mailer.timeout = settings.SMTP_TIMEOUT
    return mailer


def _lease(mailer: Any) -> dt.timedelta:
    """How long a claim holds: a handover waits on the server a dozen times or so (greeting,
    EHLO, TLS, login, MAIL, RCPT, DATA, end of data, QUIT), each within the timeout, so a
    claim older than this was left by a worker that stopped."""
    timeout = getattr(mailer, "timeout", None) or settings.SMTP_TIMEOUT
    return dt.timedelta(seconds=15 * timeout + 60)


def _claim(email_id: int, lease: dt.timedelta) -> OutboundEmail | None:
    """Take the email for this worker (committed before the server is called), or None when
    there is nothing to do: sent, failed, or another worker is handing it over now."""
    now = timezone.now()
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().get(pk=email_id)
        if email.status == EmailStatus.SENDING:
            if not _abandoned(email, now - lease):
                return None
            _settle_abandoned(email)
        if email.status in (EmailStatus.SENT, EmailStatus.FAILED):
            return None
        email.status, email.claimed_at, email.handover_at = EmailStatus.SENDING, now, None
        email.attempts += 1
        email.save(update_fields=["status", "claimed_at", "handover_at", "attempts"])
    return email


def _hand_over(email: OutboundEmail) -> bool:
    """Note that the message is about to leave, unless the claim was taken over meanwhile: from
    here on a worker that dies leaves an email the server may have received."""
    now = timezone.now()
    handed = OutboundEmail.objects.filter(
        pk=email.pk, status=EmailStatus.SENDING, claimed_at=email.claimed_at
    ).update(handover_at=now)
    email.handover_at = now
    return bool(handed)


def _record_outcome(
    claimed: OutboundEmail, error: Exception | None, timeout: float | None
) -> OutboundEmail:
    """What the server answered. The truth wins over a claim settled as abandoned meanwhile
    (a worker slower than the lease); a claim taken over by another worker is left to it."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().get(pk=claimed.pk)
        if email.claimed_at != claimed.claimed_at:
            return email
        if error is None:
            email.status, email.sent_at = EmailStatus.SENT, timezone.now()
            email.last_error, email.next_attempt_at = "", None
        else:
            _failed_attempt(email, _reason(error, timeout), permanent=_permanent(error))
        email.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    return email


def _failed_attempt(email: OutboundEmail, reason: str, *, permanent: bool = False) -> None:
    """Ask again later, or give up with the reason after the last attempt."""
    email.last_error = reason
    if permanent or email.attempts >= MAX_ATTEMPTS:
        email.status, email.next_attempt_at = EmailStatus.FAILED, None
    else:
        email.status = EmailStatus.RETRYING
        email.next_attempt_at = timezone.now() + RETRY_DELAYS[email.attempts - 1]


def _abandoned(email: OutboundEmail, claimed_before: dt.datetime) -> bool:
    return email.claimed_at is None or email.claimed_at < claimed_before


def _settle_abandoned(email: OutboundEmail) -> None:
    """A claim whose worker stopped (killed, restarted) mid-delivery, on the locked row. Before
    the handover the server cannot have the email: it is tried again. After it, nobody can tell
    whether the server accepted it, and sending again could deliver it twice: it fails, saying
    so, and a person decides."""
    if email.handover_at is None:
        _failed_attempt(email, gettext(STOPPED_BEFORE_HANDOVER))
        email.next_attempt_at = None if email.status == EmailStatus.FAILED else timezone.now()
        email.claimed_at = None  # a worker still alive finds its claim gone and sends nothing
    else:
        # The claim stays: a worker that was only slow still records what the server answered.
        email.status, email.next_attempt_at = EmailStatus.FAILED, None
        email.last_error = gettext(STOPPED_DURING_HANDOVER)
    email.save(update_fields=["status", "next_attempt_at", "last_error", "claimed_at"])


STOPPED_BEFORE_HANDOVER = (
    "The worker stopped before it handed this email to the mail server; the server never "
    "received it."
)
STOPPED_DURING_HANDOVER = (
    "The worker stopped while handing this email to the mail server, so Faktura cannot tell "
    "whether it was delivered. Check with the recipient, or send it again."
)


def recover_stale_deliveries(*, now: dt.datetime | None = None) -> int:
    """Emails whose delivery stopped with its worker, or whose task was lost: each abandoned
    claim is settled, and its delivery task queued again (which records the outcome where the
    sender's app keeps it). Run by the workflow clock; a second task for an email is harmless.
    Returns how many emails were taken up again."""
    now = now or timezone.now()
    lease = _lease(_mailer())
    recovered = 0
    abandoned = OutboundEmail.objects.filter(status=EmailStatus.SENDING, claimed_at__lt=now - lease)
    for email_id in abandoned.values_list("pk", flat=True):
        with transaction.atomic():
            email = OutboundEmail.objects.select_for_update().get(pk=email_id)
            if email.status == EmailStatus.SENDING and _abandoned(email, now - lease):
                _settle_abandoned(email)
                _queue_delivery(email)
                recovered += 1
    # Due for longer than a lease and still waiting: its task may be lost. Marking it due `now`
    # keeps the next pass from queueing it again before another lease has passed.
    lost = OutboundEmail.objects.alias(due=Coalesce("next_attempt_at", "created_at")).filter(
        status__in=[EmailStatus.QUEUED, EmailStatus.RETRYING], due__lte=now - lease
    )
    for email in lost:
        with transaction.atomic():
            if OutboundEmail.objects.filter(pk=email.pk, status=email.status).update(
                next_attempt_at=now
            ):
                _queue_delivery(email)
                recovered += 1
    return recovered


def _queue_delivery(email: OutboundEmail) -> None:
    """Queue the task that delivers this email (the one it was queued with) after commit."""
    from faktura.emails.tasks import deliver_email_task

    task = import_string(email.delivered_by) if email.delivered_by else deliver_email_task
    pk = email.pk
    transaction.on_commit(lambda: task.enqueue(pk))


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
    """A 5xx answer will not change by asking again (unknown mailbox, message refused), nor will
    an address the message cannot be written with."""
    if isinstance(error, ValueError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _reason(error: Exception, timeout: float | None = None) -> str:
    """The server's own words, for the record page."""
    # smtplib turns a read that timed out into SMTPServerDisconnected, raised while handling it.
    if timeout and (isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError)):
        # ngettext wants a whole count; "2.5 seconds" reads as plural like "2 seconds".
        count = int(timeout) if float(timeout).is_integer() else 2
        return ngettext(
            "The mail server did not answer within %(seconds)s second.",
            "The mail server did not answer within %(seconds)s seconds.",
            count,
        ) % {"seconds": f"{timeout:g}"}
    if isinstance(error, ValueError):
        return gettext("The email could not be written for the mail server: %(error)s") % {
            "error": error
        }
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
