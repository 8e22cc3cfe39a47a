"""Data of the HTTP API: the tokens programs authenticate with, and their rate-limit counters."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class ApiToken(models.Model):
    """A private-app style bearer token. Only the SHA-256 of the secret is kept: the secret is
    shown once, when the token is created (`faktura.api.tokens.create_token`)."""

    name = models.CharField(max_length=100)
    # The first characters of the secret, shown in lists so people can tell tokens apart.
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_tokens",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A revoked token's name may be given to its replacement.
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_active_name_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def masked(self) -> str:
        return f"{self.prefix}…"


class ApiRateWindow(models.Model):
    """Requests a token made in its current fixed window; one row per token, overwritten when a
    new window starts, so nothing needs pruning (`faktura.api.ratelimit`)."""

    token = models.OneToOneField(
        ApiToken, primary_key=True, on_delete=models.CASCADE, related_name="rate_window"
    )
    # Unix time (seconds) at which the window began.
    window_start = models.BigIntegerField()
    requests = models.PositiveIntegerField(default=0)
