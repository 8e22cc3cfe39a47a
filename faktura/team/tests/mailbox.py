"""Reading invitation emails in tests: the link they carry."""

import re

from faktura.accounts.models import User
from faktura.emails.models import OutboundEmail

BASE_URL = "http://testserver"
LINK = re.compile(r"http://testserver(/invitation/[^/\s]+/[^/\s]+/)")


def invitation_email(user: User) -> OutboundEmail:
    """The newest email queued about the user."""
    email = OutboundEmail.objects.filter(object_type="user", object_id=user.pk).first()
    assert email is not None, "no invitation email was queued"
    return email


def link_path(user: User) -> str:
    """The path of the link in the newest invitation email to the user."""
    text = invitation_email(user).text_body
    match = LINK.search(text)
    assert match, text
    return match.group(1)


def token_in(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]
