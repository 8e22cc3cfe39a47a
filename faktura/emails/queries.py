"""Reading outbound email and inboxes."""

from django.db import models

from faktura.accounts.models import User
from faktura.core.properties import object_type_for
from faktura.emails.models import ConnectedInbox, OutboundEmail


def inboxes_for(user: User) -> models.QuerySet[ConnectedInbox]:
    """The connected inboxes this user may send from."""
    return ConnectedInbox.objects.filter(users=user)


def emails_about(record: models.Model) -> models.QuerySet[OutboundEmail]:
    """The emails sent about a record, newest first."""
    return OutboundEmail.objects.filter(
        object_type=object_type_for(record).singular, object_id=record.pk
    )
