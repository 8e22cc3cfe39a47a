"""Account settings: read everywhere, changed only by super admins."""

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from faktura.accounts import permissions
from faktura.accounts.logo import check_logo
from faktura.accounts.models import AccountSettings, PaymentTerms, User
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.locales import normalize_locale
from faktura.core.money import normalize_currency
from faktura.core.served import served_address

# The logo's content type follows the logo; it is never set on its own.
SETTINGS_FIELDS = frozenset(
    f.name
    for f in AccountSettings._meta.get_fields()
    if f.name not in {"id", "updated_at", "company_logo_type"}
)


def get_account_settings() -> AccountSettings:
    settings, _ = AccountSettings.objects.get_or_create(pk=1)
    return settings


def invoice_link_base() -> str:
    """Where invoice links point: the domain set in Settings, else where Faktura is served."""
    return get_account_settings().invoice_public_domain or served_address()


def user_locale(user: object) -> str:
    """The locale a person types and reads amounts and dates in (DOC-4): their own, else the
    account's invoice locale. `user` may be anonymous or None (the account's then)."""
    return getattr(user, "locale", "") or get_account_settings().invoice_locale


# What a person changes on their own profile page.
PROFILE_FIELDS = frozenset({"first_name", "last_name", "email", "locale"})


def update_profile(user: User, *, actor: Actor, **changes: Any) -> User:
    """A person's own name, email address and number and date format (DOC-4: an empty locale
    follows the account's invoice locale)."""
    require(permissions.can_edit_profile(actor, user))
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise RuleViolation(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    cleaned = {name: _clean_profile_value(name, value) for name, value in changes.items()}
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        for name, value in cleaned.items():
            setattr(user, name, value)
        user.save(update_fields=list(cleaned))
    return user


def _clean_profile_value(name: str, value: Any) -> str:
    text = str(value or "").strip()
    if name == "locale":
        return normalize_locale(text) if text else ""
    if name == "email" and text:
        try:
            validate_email(text)
        except ValidationError:
            raise RuleViolation(
                f"'{text}' is not an email address. Write it as name@example.com."
            ) from None
    longest = getattr(User._meta.get_field(name), "max_length", None) or 0
    if len(text) > longest:
        raise RuleViolation(
            f"The {name.replace('_', ' ')} can be at most {longest} characters long."
        )
    return text


def update_account_settings(*, actor: Actor, **changes: Any) -> AccountSettings:
    require(permissions.can_manage_settings(actor))
    unknown = set(changes) - SETTINGS_FIELDS
    if unknown:
        raise RuleViolation(f"Unknown account settings: {', '.join(sorted(unknown))}.")
    cleaned = {name: _clean_setting(name, value) for name, value in changes.items()}
    if "company_logo" in cleaned:  # b"" removes the logo
        logo = cleaned["company_logo"]
        cleaned["company_logo_type"] = check_logo(logo) if logo else ""
    with transaction.atomic():
        get_account_settings()
        settings = AccountSettings.objects.select_for_update().get(pk=1)
        for name, value in cleaned.items():
            setattr(settings, name, value)
        settings.save(update_fields=[*cleaned, "updated_at"])
    return settings


def _clean_setting(name: str, value: Any) -> Any:
    if name == "default_currency":
        return normalize_currency(value)
    if name == "invoice_locale":
        return normalize_locale(value)
    if name == "company_logo":
        if not isinstance(value, bytes | bytearray | memoryview):
            raise RuleViolation("The logo must be the bytes of a PNG or JPEG file.")
        return bytes(value)
    if name == "company_country":
        country = str(value).strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise RuleViolation(
                f"Company country must be a two-letter ISO code such as US or NO, got '{value}'."
            )
        return country
    if name == "default_payment_terms":
        if value not in PaymentTerms.values:
            raise RuleViolation(
                f"Unknown payment terms '{value}'. Use one of: {', '.join(PaymentTerms.values)}."
            )
        return value
    if name == "invoice_public_domain":
        url = str(value or "").strip().rstrip("/")
        if not url:
            return ""  # links follow the address Faktura is served at
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise RuleViolation(
                f"The invoice domain must be a base URL such as https://billing.example.com, "
                f"got '{value}'."
            )
        return url
    if name == "invoice_number_prefix":
        prefix = str(value).strip()
        if len(prefix) > 20 or not all(c.isalnum() or c in "-_/." for c in prefix):
            raise RuleViolation(
                "The invoice number prefix may hold at most 20 letters, digits and - _ / . "
                f"characters, got '{value}'."
            )
        return prefix
    if name.startswith(("allow_", "let_")) and not isinstance(value, bool):
        raise RuleViolation(f"{name} must be true or false.")
    return value


def adopt_default_from_email(address: str) -> None:
    """INV-28: while no default From address is set, the first one an invoice is sent from
    becomes the default for later invoices."""
    with transaction.atomic():
        get_account_settings()
        settings = AccountSettings.objects.select_for_update().get(pk=1)
        if not settings.default_from_email:
            settings.default_from_email = address
            settings.save(update_fields=["default_from_email", "updated_at"])
