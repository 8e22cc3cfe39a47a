"""The conversations inbox: one-to-one emails sent from connected inboxes and their replies.

Faktura does not receive mail (no IMAP yet): a reply is added by hand, or imported from the
message file (.eml), which names the email it answers in In-Reply-To or References."""

import datetime as dt
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from faktura.accounts.models import User
from faktura.accounts.permissions import can_edit_records, can_manage_settings
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.text_input import check_text, printable
from faktura.emails.addresses import clean_address
from faktura.emails.models import ConnectedInbox, EmailKind, OutboundEmail, Reply
from faktura.emails.queries import inboxes_for

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def visible_inboxes(actor: Actor) -> models.QuerySet[ConnectedInbox]:
    """Super admins see every inbox; others the ones they may send from."""
    if can_manage_settings(actor):
        return ConnectedInbox.objects.all()
    user = actor.user if isinstance(actor.user, User) else None
    return inboxes_for(user) if user else ConnectedInbox.objects.none()


def threads(inbox: ConnectedInbox) -> models.QuerySet[OutboundEmail]:
    """The one-to-one emails sent from the inbox, newest first, with their replies."""
    return (
        OutboundEmail.objects.filter(kind=EmailKind.ONE_TO_ONE, from_address__iexact=inbox.address)
        .prefetch_related("replies")
        .order_by("-created_at", "-id")
    )


def _email_in_view(email_id: int, actor: Actor) -> OutboundEmail:
    addresses = [i.address.lower() for i in visible_inboxes(actor)]
    email = OutboundEmail.objects.filter(pk=email_id, kind=EmailKind.ONE_TO_ONE).first()
    if email is None or email.from_address.lower() not in addresses:
        raise RuleViolation("That conversation is not in an inbox you can use.", code="not_found")
    return email


def add_reply(
    email_id: int, *, actor: Actor, from_address: str, body: str, received_at: dt.datetime
) -> Reply:
    require(can_edit_records(actor))
    email = _email_in_view(email_id, actor)
    if not body.strip():
        raise RuleViolation("The reply has no text.")
    check_text(body, "The reply")
    return Reply.objects.create(
        email=email,
        from_address=clean_address(from_address, field="From"),
        received_at=received_at,
        body=body.strip(),
        added_by=actor.describe(),
    )


def import_reply(raw: bytes, *, actor: Actor) -> Reply:
    """A reply from its message file: matched to the email its headers say it answers."""
    require(can_edit_records(actor))
    if len(raw) > MAX_IMPORT_BYTES:
        raise RuleViolation("The message file is larger than 5 MB.")
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    # A message file is not typed by a person: control characters in it are dropped, not refused.
    answered = printable(
        f"{message.get('In-Reply-To', '')} {message.get('References', '')}"
    ).split()
    email = OutboundEmail.objects.filter(message_id__in=answered).first() if answered else None
    if email is None:
        raise RuleViolation(
            "This message does not answer an email sent from Faktura (its In-Reply-To and "
            "References headers name none), so it cannot be added to a conversation.",
            code="unmatched",
        )
    _email_in_view(email.pk, actor)
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = printable(body_part.get_content()) if body_part is not None else ""
    try:
        received = parsedate_to_datetime(str(message.get("Date")))
    except (TypeError, ValueError):
        received = timezone.now()
    try:
        with transaction.atomic():
            return Reply.objects.create(
                email=email,
                from_address=clean_address(
                    parseaddr(str(message.get("From", "")))[1], field="From"
                ),
                received_at=received,
                body=body.strip() or "(no text)",
                message_id=printable(str(message.get("Message-ID", ""))).strip() or None,
                added_by=actor.describe(),
            )
    except IntegrityError:
        raise RuleViolation("This message was imported already.", code="duplicate") from None
