"""Secrets kept in the database (QuickBooks tokens, a Stripe key) are encrypted with a key that
is not in the database (ADR 0009): a copy of the database alone gives no one a working token.

The keys come from `FAKTURA_ENCRYPTION_KEYS` (Fernet keys separated by commas, the first
encrypts, every one decrypts, so a key can be rotated), else from the file
`DATA_DIR/encryption_key`, generated on first use like SECRET_KEY."""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UnreadableSecret(Exception):
    """A stored secret that none of the configured keys opens."""


@cache
def _box() -> MultiFernet:
    keys = list(settings.FAKTURA_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("FAKTURA_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "FAKTURA_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe "
            "base64-encoded bytes). Make one with: python -c 'from cryptography.fernet import "
            "Fernet; print(Fernet.generate_key().decode())'"
        ) from None


def encrypt(secret: str) -> str:
    return _box().encrypt(secret.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    try:
        return _box().decrypt(stored.encode("ascii")).decode()
    except InvalidToken:
        raise UnreadableSecret(
            "A stored secret cannot be decrypted with the configured encryption keys. Was "
            "FAKTURA_ENCRYPTION_KEYS or the data folder's encryption_key changed? Put the old key "
            "back (after the new one, to rotate), or connect again."
        ) from None


def reset_keys() -> None:
    """Forget the cached keys (tests that change the setting)."""
    _box.cache_clear()
