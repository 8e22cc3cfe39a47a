"""Email addresses as users type them: checked one by one, with a message that names the bad one."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from faktura.core.errors import RuleViolation


def clean_address(value: str, *, field: str) -> str:
    address = value.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise RuleViolation(
            f"{field}: '{address}' is not an email address. Check it for typos.",
            code="invalid_email",
        ) from None
    return address


def clean_addresses(values: Iterable[str], *, field: str) -> list[str]:
    """Valid addresses in the order given, each once (compared without case)."""
    seen: set[str] = set()
    cleaned = []
    for value in values:
        if not value.strip():
            continue
        address = clean_address(value, field=field)
        if address.lower() not in seen:
            seen.add(address.lower())
            cleaned.append(address)
    return cleaned


def split_addresses(text: str) -> list[str]:
    """Addresses typed into one box, separated by commas, semicolons or spaces."""
    return [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part.strip()]
