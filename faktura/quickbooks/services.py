"""Connecting QuickBooks companies (QB-14): connect through OAuth 2, keep the defaults the
workflow actions need, disconnect. Every change is checked by rules.py and recorded in history
against the connection."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faktura.core.actors import Actor
from faktura.core.encryption import decrypt
from faktura.core.errors import RuleViolation, require
from faktura.history import services as history
from faktura.quickbooks import oauth, rules
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.errors import QuickBooksError
from faktura.quickbooks.models import ConnectionStatus, QuickBooksConnection
from faktura.quickbooks.tokens import store_tokens

log = logging.getLogger(__name__)

# The defaults a connection keeps: field prefix → what QuickBooks list it is chosen from.
DEFAULTS = (
    "income_account",
    "deposit_account",
    "fee_expense_account",
    "fee_payment_account",
    "fee_vendor",
    "refund_account",
)


def connect_company(
    *, actor: Actor, code: str, realm_id: str, redirect_uri: str
) -> QuickBooksConnection:
    """Finish the OAuth flow: exchange the code, store the tokens (a company connected before
    is reconnected, keeping its defaults), then read the company's name and country."""
    require(rules.can_manage_quickbooks(actor))
    if not realm_id or not code:
        raise RuleViolation(
            _("QuickBooks did not say which company was connected. Try connecting again.")
        )
    tokens = oauth.exchange_code(code, redirect_uri=redirect_uri)
    now = timezone.now()
    with transaction.atomic():
        connection = (
            QuickBooksConnection.objects.select_for_update().filter(realm_id=realm_id).first()
        )
        event = "quickbooks.reconnected" if connection else "quickbooks.connected"
        if connection is None:
            connection = QuickBooksConnection(
                realm_id=realm_id,
                company_name=_("QuickBooks company %(realm)s") % {"realm": realm_id},
                connected_at=now,
            )
        store_tokens(connection, tokens)
        connection.status = ConnectionStatus.CONNECTED
        connection.status_message = ""
        connection.connected_by = actor.user  # type: ignore[assignment]
        connection.connected_at = now
        connection.disconnected_at = None
        connection.refresh_holder = ""
        connection.refresh_lease_until = None
        connection.save()
        history.record_event(connection, event, actor=actor, data={"realm_id": realm_id})
    refresh_company_details(connection)
    return connection


def refresh_company_details(connection: QuickBooksConnection) -> None:
    """Read the company's name and country from QuickBooks; a failure keeps what is known."""
    try:
        info = QuickBooksClient(connection, max_wait=10).company_info()
    except QuickBooksError as error:
        log.warning("Reading QuickBooks company %s failed: %s", connection.realm_id, error)
        return
    name = str(info.get("CompanyName") or connection.company_name)[:200]
    country = str(info.get("Country") or "")[:2].upper()
    QuickBooksConnection.objects.filter(pk=connection.pk).update(company_name=name, country=country)
    connection.company_name, connection.country = name, country


def disconnect_company(connection: QuickBooksConnection, *, actor: Actor) -> None:
    """Revoke the tokens at Intuit (a failure there is logged, not fatal: the tokens are
    dropped here either way) and forget them."""
    require(rules.can_manage_quickbooks(actor))
    refresh_token = connection.refresh_token
    if refresh_token:
        try:
            oauth.revoke(decrypt(refresh_token))
        except QuickBooksError as error:
            log.warning("Revoking QuickBooks %s failed: %s", connection.realm_id, error)
    with transaction.atomic():
        locked = QuickBooksConnection.objects.select_for_update().get(pk=connection.pk)
        locked.status = ConnectionStatus.DISCONNECTED
        locked.status_message = ""
        locked.access_token = locked.refresh_token = ""
        locked.access_expires_at = locked.refresh_expires_at = None
        locked.disconnected_at = timezone.now()
        locked.save()
        history.record_event(locked, "quickbooks.disconnected", actor=actor)


def set_connection_defaults(
    connection: QuickBooksConnection, *, actor: Actor, values: Mapping[str, tuple[str, str]]
) -> QuickBooksConnection:
    """Set defaults: {"income_account": (id, name), …}; ("", "") clears one."""
    require(rules.can_manage_quickbooks(actor))
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise RuleViolation(_("Unknown QuickBooks defaults: %s.") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        locked = QuickBooksConnection.objects.select_for_update().get(pk=connection.pk)
        before = {name: getattr(locked, f"{name}_name") for name in values}
        for name, (ref_id, ref_name) in values.items():
            setattr(locked, f"{name}_id", ref_id)
            setattr(locked, f"{name}_name", ref_name if ref_id else "")
        locked.save(update_fields=[f"{n}_{part}" for n in values for part in ("id", "name")])
        after = {name: getattr(locked, f"{name}_name") for name in values}
        if before != after:
            history.record_changes(locked, before, after, actor=actor)
    return locked
