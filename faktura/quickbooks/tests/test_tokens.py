"""A connection's tokens against the sandbox process (QB-14): a token QuickBooks refuses early
is refreshed once, a revoked connection asks for reconnecting until it is reconnected, and
tokens stored under another encryption key say so."""

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet

from faktura.core.actors import Actor
from faktura.core.encryption import reset_keys
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.errors import ReconnectNeeded
from faktura.quickbooks.models import ConnectionStatus, QuickBooksConnection
from faktura.quickbooks.tests.conftest import connect
from tests.qbo import Sandbox

pytestmark = pytest.mark.django_db


def test_a_401_on_a_token_faktura_thought_fresh_refreshes_once_and_succeeds(
    sandbox: Sandbox, connection: QuickBooksConnection
) -> None:  # SPEC QB-14
    sandbox.control("tokens/expire", {"realmId": connection.realm_id})
    assert QuickBooksClient(connection).company_info()["CompanyName"]
    connection.refresh_from_db()
    assert connection.refresh_count == 1
    assert QuickBooksClient(connection).company_info()["CompanyName"]
    connection.refresh_from_db()
    assert connection.refresh_count == 1


def test_a_revoked_connection_fails_with_a_clear_message_until_reconnected(
    sandbox: Sandbox, admin: Actor, connection: QuickBooksConnection
) -> None:  # SPEC QB-14
    sandbox.control("tokens/revoke", {"realmId": connection.realm_id})
    with pytest.raises(ReconnectNeeded) as refused:
        QuickBooksClient(connection).company_info()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_RECONNECT
    assert connection.status_message == refused.value.message
    assert "no longer accepts this connection" in connection.status_message
    assert "Reconnect QuickBooks in Settings → QuickBooks" in connection.status_message
    before = len(sandbox.traffic()["started"][connection.realm_id])
    with pytest.raises(ReconnectNeeded) as again:
        QuickBooksClient(connection).company_info()
    assert again.value.message == connection.status_message
    # Nothing was sent: the connection is known to be unusable.
    assert len(sandbox.traffic()["started"][connection.realm_id]) == before

    reconnected = connect(sandbox, admin, realm_id=connection.realm_id)
    assert reconnected.pk == connection.pk
    assert reconnected.status == ConnectionStatus.CONNECTED
    assert reconnected.status_message == ""
    assert QuickBooksClient(reconnected).company_info()["CompanyName"]


@pytest.fixture
def other_keys(settings: Any) -> Iterator[None]:
    settings.FAKTURA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    reset_keys()
    yield
    reset_keys()


def test_tokens_stored_under_another_key_are_refused_in_words(
    connection: QuickBooksConnection, other_keys: None
) -> None:  # SPEC QB-14
    # A ReconnectNeeded, as every caller handles: connecting again stores tokens the key opens.
    with pytest.raises(ReconnectNeeded) as unreadable:
        QuickBooksClient(connection).company_info()
    assert "cannot be decrypted with the configured encryption keys" in unreadable.value.message
    assert "FAKTURA_ENCRYPTION_KEYS" in unreadable.value.message
    # Not marked: putting the old key back must be enough.
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED


def test_a_refresh_that_cannot_open_the_stored_token_lets_the_next_call_refresh_at_once(
    sandbox: Sandbox, connection: QuickBooksConnection, settings: Any
) -> None:  # SPEC QB-14
    right_keys = list(settings.FAKTURA_ENCRYPTION_KEYS)
    QuickBooksConnection.objects.filter(pk=connection.pk).update(access_expires_at=None)
    settings.FAKTURA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    reset_keys()
    try:
        with pytest.raises(ReconnectNeeded):
            QuickBooksClient(connection).company_info()
    finally:
        settings.FAKTURA_ENCRYPTION_KEYS = right_keys
        reset_keys()
    # The failed refresh gave its lease back: with the right key put back, the next call
    # refreshes now instead of waiting for the lease to run out.
    connection.refresh_from_db()
    assert connection.refresh_holder == ""
    assert connection.refresh_lease_until is None
    assert QuickBooksClient(connection, max_wait=2).company_info()["CompanyName"]
    connection.refresh_from_db()
    assert connection.refresh_count == 1


def test_a_fresh_token_refused_again_marks_the_connection_for_reconnecting(
    sandbox: Sandbox, connection: QuickBooksConnection
) -> None:  # SPEC QB-14
    # QuickBooks answers 401 twice: to the stored token and to the one refreshed for it.
    sandbox.control(
        "faults", {"kind": "error", "status": 401, "count": 2, "realm": connection.realm_id}
    )
    with pytest.raises(ReconnectNeeded) as refused:
        QuickBooksClient(connection).company_info()
    assert "Reconnect QuickBooks" in refused.value.message
    connection.refresh_from_db()
    assert connection.refresh_count == 1
    assert connection.status == ConnectionStatus.NEEDS_RECONNECT
    assert connection.status_message == refused.value.message
