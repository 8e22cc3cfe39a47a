"""The navigation bar: sections every staff user sees, and Settings for super admins."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from faktura.accounts.permissions import can_edit_invoices, can_manage_settings
from faktura.core.actors import Actor


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    icon: str


SECTIONS = [
    ("Contacts", "/contacts/", "person"),
    ("Companies", "/companies/", "building"),
    ("Deals", "/deals/", "briefcase"),
    ("Quotes", "/quotes/", "file-earmark-text"),
    ("Products", "/products/", "box"),
    ("Invoices", "/invoices/", "receipt"),
    ("Payments", "/payments/", "credit-card"),
    ("Conversations", "/conversations/", "chat-left-text"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context: `nav` items and what the signed-in user may do."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = Actor.for_user(user)
    items = [NavItem(label, url, icon) for label, url, icon in SECTIONS]
    if can_manage_settings(actor):
        items.append(NavItem("Workflows", "/workflows/", "diagram-3"))
        items.append(NavItem("Settings", reverse("accounts:settings"), "gear"))
    return {"nav": items, "user_can_edit": bool(can_edit_invoices(actor))}
