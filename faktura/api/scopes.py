"""The scopes a token can be given, named as HubSpot names them, so an integration written for
HubSpot asks for the same scopes here.

HubSpot's own names: `crm.objects.{type}.read` / `.write`, except products (`e-commerce`, one scope
for reading and writing) and payments (`crm.objects.commercepayments.*`, no underscore, although
the object type is `commerce_payments`)."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectScopes:
    """The scopes one object type needs: to read it, and to create, change or archive it."""

    object_type: str
    label: str
    read: str
    write: str


OBJECT_SCOPES: tuple[ObjectScopes, ...] = (
    ObjectScopes("contacts", "Contacts", "crm.objects.contacts.read", "crm.objects.contacts.write"),
    ObjectScopes(
        "companies", "Companies", "crm.objects.companies.read", "crm.objects.companies.write"
    ),
    ObjectScopes("deals", "Deals", "crm.objects.deals.read", "crm.objects.deals.write"),
    ObjectScopes("quotes", "Quotes", "crm.objects.quotes.read", "crm.objects.quotes.write"),
    ObjectScopes("products", "Products", "e-commerce", "e-commerce"),
    ObjectScopes(
        "line_items", "Line items", "crm.objects.line_items.read", "crm.objects.line_items.write"
    ),
    ObjectScopes("invoices", "Invoices", "crm.objects.invoices.read", "crm.objects.invoices.write"),
    ObjectScopes(
        "commerce_payments",
        "Payments",
        "crm.objects.commercepayments.read",
        "crm.objects.commercepayments.write",
    ),
)

WORKFLOWS = "faktura.workflows"

_LABELS: dict[str, str] = {}
for _group in OBJECT_SCOPES:
    if _group.read == _group.write:
        _LABELS[_group.read] = f"{_group.label}: read and write"
    else:
        _LABELS[_group.read] = f"{_group.label}: read"
        _LABELS[_group.write] = f"{_group.label}: create, change and archive"
_LABELS[WORKFLOWS] = "Workflows: list, export, import, publish, turn on and off"

# Every scope in the order the settings page and the command list them, with a label for people.
ALL_SCOPES: tuple[tuple[str, str], ...] = tuple(_LABELS.items())
SCOPE_NAMES: frozenset[str] = frozenset(_LABELS)

_BY_TYPE = {group.object_type: group for group in OBJECT_SCOPES}


def scopes_for(object_type_name: str, *, write: bool) -> tuple[str, ...]:
    """The scopes a call on this object type needs (all of them): reading, or writing."""
    group = _BY_TYPE.get(object_type_name)
    if group is None:
        raise KeyError(f"No scopes are declared for the object type '{object_type_name}'.")
    return (group.write if write else group.read,)


def label_of(scope: str) -> str:
    return _LABELS.get(scope, scope)


def ordered(scopes: Iterable[str]) -> list[str]:
    """Known scopes without repeats, in catalogue order (how tokens store them)."""
    chosen = set(scopes)
    return [name for name, _ in ALL_SCOPES if name in chosen]
