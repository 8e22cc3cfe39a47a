"""Email actions (WF-4): “Send an internal email notification” to Faktura users, and “Send an
email to the record's contact”.

An email is an OutboundEmail row, queued in the step's transaction and delivered by a task after
it commits. Both go out from the account's default From address. `{{ property_name }}` in the
subject or body is replaced by the record's value of that property, as a person reads it.

Each email the step queues is also recorded as an event in the record's history, carrying the
step's idempotency key: a step that runs again finds it there and queues no second email.
(OutboundEmail has no field for such a key.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction

from faktura.accounts.models import User
from faktura.accounts.services import get_account_settings, invoice_link_base
from faktura.core.errors import RuleViolation
from faktura.core.properties import object_type_for
from faktura.crm.models import Contact
from faktura.emails.addresses import split_addresses
from faktura.emails.models import EmailKind, OutboundEmail
from faktura.emails.services import Sender, queue_email
from faktura.history import services as history
from faktura.history.models import Entry
from faktura.payments.models import Payment
from faktura.workflows.config_fields import TEXTAREA
from faktura.workflows.definition import WORKFLOW_TYPES
from faktura.workflows.placeholders import fill_placeholders
from faktura.workflows.registry import (
    ActionContext,
    ActionError,
    ActionType,
    ConfigField,
    action_types,
)

NOTIFY_LABEL = "Send an internal email notification"
EMAIL_CONTACT_LABEL = "Send an email to the record's contact"
NOTIFICATION_KIND = EmailKind.WORKFLOW_NOTIFICATION
CONTACT_EMAIL_KIND = EmailKind.WORKFLOW_EMAIL
# The event in the record's history that says a step queued an email (and under which key).
QUEUED_EVENT = "workflow_email_queued"

CONTACT_TYPES = ("contact", "deal", "quote", "invoice", "payment")
SUBJECT_LIMIT = 300  # OutboundEmail.subject


def record_url(record: models.Model) -> str:
    """The record's page as an absolute link, on the address invoice links use (the domain set
    in Settings, else where Faktura is served)."""
    base = invoice_link_base()
    path: str = record.get_absolute_url()  # type: ignore[attr-defined]
    return f"{base}{path}"


def _sender() -> Sender:
    account = get_account_settings()
    if not account.default_from_email:
        raise ActionError(
            "There is no address to send workflow emails from. A super admin can set the "
            "“Default from email” in Settings, then retry this action."
        )
    return Sender(account.default_from_email, account.company_name)


def _subject(config: Mapping[str, Any], record: models.Model) -> str:
    subject = fill_placeholders(str(config.get("subject") or ""), record, one_line=True).strip()
    if len(subject) > SUBJECT_LIMIT:
        subject = subject[: SUBJECT_LIMIT - 1].rstrip() + "…"
    return subject


def _fresh(context: ActionContext) -> models.Model:
    """The record as stored now, locked while the step looks for an earlier email and queues:
    two runs of one step cannot both queue."""
    record = context.record
    manager = type(record)._default_manager
    found: models.Model | None = manager.select_for_update().filter(pk=record.pk).first()
    if found is None:
        raise ActionError(f"The {context.object_type} no longer exists; no email was sent.")
    return found


def _earlier(record: models.Model, key: str) -> Entry | None:
    """The history event of an email this step (by its key) already queued."""
    singular = object_type_for(record).singular
    entry: Entry | None = (
        Entry.objects.for_object(singular, record.pk)
        .filter(event_type=f"{singular}.{QUEUED_EVENT}", data__idempotency_key=key)
        .first()
    )
    return entry


def _queue(
    context: ActionContext,
    record: models.Model,
    *,
    kind: str,
    to: list[str],
    subject: str,
    text: str,
) -> dict[str, Any]:
    try:
        email: OutboundEmail = queue_email(
            actor=context.actor,
            kind=kind,
            about=record,
            sender=_sender(),
            to=to,
            subject=subject,
            text=text,
        )
    except RuleViolation as refusal:
        raise ActionError(refusal.reason) from None
    history.record_event(
        record,
        f"{object_type_for(record).singular}.{QUEUED_EVENT}",
        actor=context.actor,
        data={
            "idempotency_key": context.idempotency_key,
            "email_id": email.pk,
            "kind": kind,
            "to": email.to,
            "subject": email.subject,
        },
    )
    return {
        "email_id": email.pk,
        "to": email.to,
        "subject": email.subject,
        "queued": True,
        "summary": f"Email “{email.subject}” queued to {', '.join(email.to)}.",
    }


def _already_queued(entry: Entry) -> dict[str, Any]:
    to = list(entry.data.get("to") or [])
    subject = str(entry.data.get("subject") or "")
    return {
        "email_id": entry.data.get("email_id"),
        "to": to,
        "subject": subject,
        "queued": False,
        "summary": f"An earlier run of this step already queued “{subject}” to "
        f"{', '.join(to)}; no second email was sent.",
    }


def _body_problems(action: str, config: Mapping[str, Any]) -> list[str]:
    subject = str(config.get("subject") or "")
    found = []
    if "\n" in subject or "\r" in subject:
        found.append(f"“{action}”: the subject must be a single line.")
    if len(subject) > SUBJECT_LIMIT:
        found.append(f"“{action}”: the subject can be at most {SUBJECT_LIMIT} characters.")
    return found


# --- “Send an internal email notification” ------------------------------------------------------


def _user_named(name: str) -> User | None:
    """An active user by username (exactly, else ignoring case when only one matches) or by
    email address."""
    active = User.objects.filter(is_active=True)
    if user := active.filter(username=name).first():
        return user
    same = list(active.filter(username__iexact=name)[:2])
    if len(same) == 1:
        return same[0]
    return active.filter(email__iexact=name).exclude(email="").order_by("id").first()


def user_addresses(to: str) -> list[str]:
    """The email addresses of the users named in `to`; refused naming those who cannot get one."""
    addresses: list[str] = []
    unknown: list[str] = []
    without_email: list[str] = []
    for name in split_addresses(to):
        user = _user_named(name.strip())
        if user is None:
            unknown.append(name.strip())
        elif not user.email:
            without_email.append(name.strip())
        else:
            addresses.append(user.email)
    problems = []
    if unknown:
        problems.append(
            f"No active Faktura user has the username or email address {', '.join(unknown)}."
        )
    if without_email:
        problems.append(f"These users have no email address: {', '.join(without_email)}.")
    if problems:
        raise ActionError(
            " ".join(problems) + " Change who the notification goes to, or add or reactivate "
            "the users in Settings, then retry this action."
        )
    if not addresses:
        raise ActionError("The notification names no one to send it to. Add users to “To”.")
    return addresses


def notify_users_problems(object_type: str, config: Mapping[str, Any]) -> list[str]:
    found = _body_problems(NOTIFY_LABEL, config)
    if str(config.get("to") or "").strip() and not split_addresses(str(config["to"])):
        found.append(f"“{NOTIFY_LABEL}”: name at least one user in “To”.")
    return found


def notify_users(context: ActionContext) -> Mapping[str, Any]:
    if problems := notify_users_problems(context.object_type, context.config):
        raise ActionError(" ".join(problems))
    with transaction.atomic():
        record = _fresh(context)
        if earlier := _earlier(record, context.idempotency_key):
            return _already_queued(earlier)
        to = user_addresses(str(context.config.get("to") or ""))
        kind = object_type_for(record).singular
        body = fill_placeholders(str(context.config.get("body") or ""), record).rstrip()
        text = (
            f"{body}\n\n--\nOpen the {kind} “{record}” in Faktura: {record_url(record)}\n"
            f"Sent by the workflow “{context.workflow_name}”.\n"
        )
        return _queue(
            context,
            record,
            kind=NOTIFICATION_KIND,
            to=to,
            subject=_subject(context.config, record),
            text=text,
        )


action_types.register(
    "notify_users",
    ActionType(
        name="notify_users",
        label=NOTIFY_LABEL,
        description="Email Faktura users about the enrolled record, with a link to its page.",
        run=notify_users,
        fields=(
            ConfigField(
                "to",
                "To",
                help="Usernames or email addresses of Faktura users, separated by commas.",
            ),
            ConfigField(
                "subject",
                "Subject",
                help="{{ property_name }} is replaced by the record's value, e.g. {{ dealname }}.",
            ),
            ConfigField(
                "body",
                "Message",
                kind=TEXTAREA,
                help="{{ property_name }} is replaced by the record's value; a link to the "
                "record is added at the end.",
            ),
        ),
        object_types=WORKFLOW_TYPES,
        validate=notify_users_problems,
    ),
)


# --- “Send an email to the record's contact” ----------------------------------------------------


def contact_to_email(record: models.Model) -> Contact | None:
    """Who “the record's contact” is: a contact itself; the first associated contact with an
    email address of a deal, quote or invoice; a payment's contact. None without an address."""
    if isinstance(record, Contact):
        return record if record.email else None
    if isinstance(record, Payment):
        return record.contact if record.contact is not None and record.contact.email else None
    contacts = record.contacts_in_order()  # type: ignore[attr-defined]
    found: Contact | None = next((c for c in contacts if c.email), None)
    return found


def _no_contact(record: models.Model) -> str:
    kind = object_type_for(record).singular
    if isinstance(record, Contact):
        return (
            f"The contact {record} has no email address, so no email was sent. Add one to "
            "the contact."
        )
    if isinstance(record, Payment):
        return (
            f"Payment {record.pk} has no contact with an email address, so no email was sent. "
            "Set the payment's contact, and give the contact an email address."
        )
    return (
        f"The {kind} “{record}” has no associated contact with an email address, so no email "
        f"was sent. Add a contact with an email address to the {kind}."
    )


def email_contact_problems(object_type: str, config: Mapping[str, Any]) -> list[str]:
    return _body_problems(EMAIL_CONTACT_LABEL, config)


def email_contact(context: ActionContext) -> Mapping[str, Any]:
    if problems := email_contact_problems(context.object_type, context.config):
        raise ActionError(" ".join(problems))
    with transaction.atomic():
        record = _fresh(context)
        if earlier := _earlier(record, context.idempotency_key):
            return _already_queued(earlier)
        contact = contact_to_email(record)
        if contact is None:
            raise ActionError(_no_contact(record))
        body = fill_placeholders(str(context.config.get("body") or ""), record).rstrip()
        result = _queue(
            context,
            record,
            kind=CONTACT_EMAIL_KIND,
            to=[contact.email],
            subject=_subject(context.config, record),
            text=body + "\n",
        )
    return {**result, "contact_id": contact.pk}


action_types.register(
    "email_contact",
    ActionType(
        name="email_contact",
        label=EMAIL_CONTACT_LABEL,
        description="Email the record's contact: the contact itself, the first contact with an "
        "email address of a deal, quote or invoice, or a payment's contact.",
        run=email_contact,
        fields=(
            ConfigField(
                "subject",
                "Subject",
                help="{{ property_name }} is replaced by the record's value, e.g. {{ hs_number }}.",
            ),
            ConfigField(
                "body",
                "Message",
                kind=TEXTAREA,
                help="{{ property_name }} is replaced by the record's value.",
            ),
        ),
        object_types=CONTACT_TYPES,
        validate=email_contact_problems,
    ),
)
