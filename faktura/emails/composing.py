"""One-to-one email from a record (INV-27, INV-29, INV-30): a message a user writes to a
contact, company or deal's people. It never changes an invoice's last sent date, even when
it carries an invoice link.

The body is plain text; an inserted link is written `[label](https://…)` and becomes a link
labelled `label` in the HTML version, while everything else the user typed stays text."""

import re
from collections.abc import Sequence

from django.db import models
from django.utils.html import escape, linebreaks

from faktura.accounts.models import User
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.emails.models import EmailKind, OutboundEmail
from faktura.emails.queries import inboxes_for
from faktura.emails.services import Sender, queue_email

# Records a one-to-one email can be written from.
COMPOSABLE = ("contacts", "companies", "deals")

INSERTED_LINK = re.compile(r"\[([^\[\]\n]{1,200})\]\((https?://[^\s()<>\"']{1,2000})\)")


def link_text(label: str, url: str) -> str:
    """How the composer writes an inserted link into the body."""
    return f"[{label}]({url})"


def from_addresses(actor: Actor) -> list[str]:
    """A one-to-one email goes out from the user's own address or a team inbox they may use."""
    user = actor.user if isinstance(actor.user, User) else None
    if user is None:
        return []
    own = [user.email] if user.email else []
    return own + [inbox.address for inbox in inboxes_for(user) if inbox.address != user.email]


def text_body(body: str) -> str:
    return INSERTED_LINK.sub(lambda m: f"{m[1]} ({m[2]})", body)


def html_body(body: str) -> str:
    """The user's text escaped, paragraphs kept; only inserted links become <a>."""
    parts: list[str] = []
    last = 0
    for match in INSERTED_LINK.finditer(body):
        parts.append(escape(body[last : match.start()]))
        parts.append(f'<a href="{escape(match[2])}">{escape(match[1])}</a>')
        last = match.end()
    parts.append(escape(body[last:]))
    return linebreaks("".join(parts), autoescape=False)


def send_one_to_one(
    record: models.Model,
    *,
    actor: Actor,
    to: Sequence[str],
    from_address: str,
    subject: str,
    body: str,
    cc: Sequence[str] = (),
) -> OutboundEmail:
    allowed = from_addresses(actor)
    if from_address.strip().lower() not in {a.lower() for a in allowed}:
        choices = ", ".join(allowed) or "none: add an email address to your user"
        raise RuleViolation(
            f"You cannot send from '{from_address.strip()}'. Send from {choices}.", code="from"
        )
    if not body.strip():
        raise RuleViolation("Write a message before sending.")
    user = actor.user if isinstance(actor.user, User) else None
    return queue_email(
        actor=actor,
        kind=EmailKind.ONE_TO_ONE,
        about=record,
        sender=Sender(from_address.strip(), user.full_name if user else ""),
        to=to,
        cc=cc,
        subject=subject,
        text=text_body(body),
        html=html_body(body),
    )
