"""Outbound email as rows (delivered by a task, so nothing is lost when a server is down) and the
connected inboxes users may send from."""

from django.conf import settings
from django.db import models

from faktura.core.actors import Actor, ActorKind


class ConnectedInbox(models.Model):
    """An address Faktura sends from on behalf of a team or a person: replies to it land in the
    conversations inbox. `users` may send from it."""

    address = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    shared = models.BooleanField(default=True, help_text="A team inbox, as opposed to a person's.")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="inboxes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]
        verbose_name_plural = "connected inboxes"

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>" if self.name else self.address


class EmailKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    RECEIPT = "receipt", "Receipt"
    ONE_TO_ONE = "one_to_one", "One-to-one email"
    WORKFLOW_NOTIFICATION = "workflow_notification", "Workflow notification"
    WORKFLOW_EMAIL = "workflow_email", "Workflow email"
    USER_INVITATION = "user_invitation", "User invitation"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    # A worker is handing it to the mail server now (claimed, committed, then sent).
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboundEmail(models.Model):
    """One email as it was asked for, and what happened when it was delivered."""

    kind = models.CharField(max_length=30, choices=EmailKind.choices)
    # The record it is about (an invoice, a contact, a user…), named by core.properties.record_type.
    object_type = models.CharField(max_length=50, db_index=True)
    object_id = models.BigIntegerField(db_index=True)
    from_address = models.EmailField()
    from_name = models.CharField(max_length=200, blank=True)
    reply_to = models.EmailField(blank=True)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, unique=True)
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # While SENDING: when the worker claimed it, and when it began handing the message over
    # (the connection was open). Empty `handover_at`: the server cannot have the message yet.
    claimed_at = models.DateTimeField(null=True, blank=True)
    handover_at = models.DateTimeField(null=True, blank=True)
    # The task that delivers it (its module path), queued again when a worker died mid-delivery.
    delivered_by = models.CharField(max_length=200, blank=True)
    # Who asked for it (as in history): what it does when accepted is done in their name.
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc]

    def actor(self) -> Actor:
        return Actor(ActorKind(self.actor_kind), self.actor_user, self.actor_label)


class OutboundAttachment(models.Model):
    """Stored with the email row, so a retry sends exactly what was asked for."""

    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.filename


class Reply(models.Model):
    """An answer to a one-to-one email, added by hand or imported from the message itself."""

    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="replies")
    from_address = models.EmailField()
    received_at = models.DateTimeField()
    body = models.TextField()
    # The reply's own Message-ID when imported: the same message is imported once.
    message_id = models.CharField(max_length=300, unique=True, null=True, blank=True)
    added_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"Reply from {self.from_address}"
