"""Settings → QuickBooks pages (QB-14): super admins connect a company through the sandbox's
consent page, choose its defaults from what QuickBooks has, and disconnect it."""

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from faktura.accounts.models import User
from faktura.quickbooks import links, views
from faktura.quickbooks.models import ConnectionStatus, QuickBooksConnection
from tests.qbo import Sandbox

pytestmark = pytest.mark.django_db

LIST = "/settings/quickbooks/"
CALLBACK = "/settings/quickbooks/callback/"


def _start_connect(client: Any) -> str:
    """POST Connect; the consent page's URL it redirects to."""
    answer = client.post("/settings/quickbooks/connect/")
    assert answer.status_code == 302
    return str(answer["Location"])


def _texts(answer: Any) -> str:
    return " ".join(str(m) for m in answer.context["messages"])


def _refused(client: Any, params: dict[str, str]) -> str:
    """Return to the callback with `params`: back on the list, nothing connected; the message."""
    answer = client.get(CALLBACK, params, follow=True)
    assert answer.redirect_chain[-1][0] == LIST
    assert not QuickBooksConnection.objects.exists()
    return _texts(answer)


def test_only_super_admins_see_the_quickbooks_pages(
    signed_in: Any, editor_user: User, connection: QuickBooksConnection
) -> None:  # SPEC QB-14
    client = signed_in(editor_user)
    for answer in (
        client.get(LIST),
        client.get(f"{LIST}{connection.pk}/"),
        client.post("/settings/quickbooks/connect/"),
        client.get(CALLBACK, {"code": "x", "state": "y", "realmId": connection.realm_id}),
        client.post(f"{LIST}{connection.pk}/disconnect/"),
    ):
        assert answer.status_code == 403
        assert "Only a super admin can connect" in answer.content.decode()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED


def test_settings_links_to_quickbooks_and_connect_needs_app_keys(
    signed_in: Any, admin_user: User, settings: Any
) -> None:  # SPEC QB-14
    settings.QUICKBOOKS_CLIENT_ID = ""
    client = signed_in(admin_user)
    assert 'href="/settings/quickbooks/"' in client.get("/settings/").content.decode()
    page = client.get(LIST).content.decode()
    assert "No QuickBooks company is connected yet." in page
    assert "Faktura has no QuickBooks app keys yet." in page
    assert 'disabled aria-describedby="connect-refused"' in page
    answer = client.post("/settings/quickbooks/connect/", follow=True)
    assert "Set QUICKBOOKS_CLIENT_ID" in _texts(answer)


def test_connecting_through_the_consent_page_lands_on_the_connection(
    sandbox: Sandbox, signed_in: Any, admin_user: User
) -> None:  # SPEC QB-14
    client = signed_in(admin_user)
    consent = _start_connect(client)
    assert consent.startswith(f"{sandbox.base_url}/connect/oauth2?")
    query = parse_qs(urlsplit(consent).query)
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK}"]
    assert query["state"] == [client.session[views.STATE_KEY]["state"]]
    redirect = sandbox.consent(consent, company_name="Fjord Traders")
    answer = client.get(CALLBACK, redirect, follow=True)
    connection = QuickBooksConnection.objects.get()
    assert answer.redirect_chain[-1][0] == f"{LIST}{connection.pk}/"
    assert connection.company_name == "Fjord Traders"
    assert connection.connected_by == admin_user
    assert "Fjord Traders is connected." in _texts(answer)
    # The state was single use: the same redirect again connects nothing more.
    again = client.get(CALLBACK, redirect, follow=True)
    assert "did not start from this browser" in _texts(again)
    listing = client.get(LIST).content.decode()
    assert "Fjord Traders" in listing
    assert ">Connected<" in listing


def test_a_callback_with_a_wrong_missing_or_expired_state_connects_nothing(
    sandbox: Sandbox, signed_in: Any, admin_user: User
) -> None:  # SPEC QB-14
    client = signed_in(admin_user)
    redirect = sandbox.consent(_start_connect(client))

    wrong = _refused(client, {**redirect, "state": "forged"})
    assert "different sign-in than the one Faktura started" in wrong

    _start_connect(client)
    missing = _refused(client, {k: v for k, v in redirect.items() if k != "state"})
    assert "did not start from this browser" in missing

    redirect = sandbox.consent(_start_connect(client))
    session = client.session
    session[views.STATE_KEY] = {**session[views.STATE_KEY], "at": time.time() - 601}
    session.save()
    assert "longer than 10 minutes" in _refused(client, redirect)


def test_declining_on_the_consent_page_says_nothing_was_connected(
    sandbox: Sandbox, signed_in: Any, admin_user: User
) -> None:  # SPEC QB-14
    client = signed_in(admin_user)
    redirect = sandbox.consent(_start_connect(client), decision="cancel")
    assert redirect["error"] == "access_denied"
    assert "You did not allow Faktura to use QuickBooks" in _refused(client, redirect)


def test_a_refused_code_leaves_nothing_half_written(
    sandbox: Sandbox, signed_in: Any, admin_user: User
) -> None:  # SPEC QB-14
    client = signed_in(admin_user)
    redirect = sandbox.consent(_start_connect(client))
    assert "QuickBooks could not be connected" in _refused(client, {**redirect, "code": "x"})


def test_defaults_are_chosen_from_the_company_accounts_and_saved(
    connection: QuickBooksConnection, signed_in: Any, admin_user: User
) -> None:  # SPEC QB-14
    client = signed_in(admin_user)
    page = client.get(f"{LIST}{connection.pk}/")
    assert page.status_code == 200
    form = page.context["form"]
    income = dict(form.fields["income_account"].choices)
    assert income == {"": "— not set —", "1": "Services", "79": "Sales of Product Income"}
    assert "4" in dict(form.fields["deposit_account"].choices)  # Undeposited Funds
    assert "41" in dict(form.fields["fee_payment_account"].choices)  # Mastercard
    assert "7" not in dict(form.fields["deposit_account"].choices)  # an expense account
    answer = client.post(
        f"{LIST}{connection.pk}/",
        {"income_account": "1", "deposit_account": "4", "fee_expense_account": "8"},
        follow=True,
    )
    assert "The QuickBooks defaults are saved." in _texts(answer)
    connection.refresh_from_db()
    assert (connection.income_account_id, connection.income_account_name) == ("1", "Services")
    assert connection.deposit_account_name == "Undeposited Funds"
    assert connection.fee_expense_account_name == "Bank Charges"
    assert connection.refund_account_id == ""
    # A value QuickBooks does not offer for that default is refused, nothing saved.
    refused = client.post(f"{LIST}{connection.pk}/", {"income_account": "7"})
    assert refused.status_code == 400
    connection.refresh_from_db()
    assert connection.income_account_id == "1"


def test_quickbooks_unreachable_shows_a_message_not_an_error_page(
    connection: QuickBooksConnection, signed_in: Any, admin_user: User, settings: Any
) -> None:  # SPEC QB-14
    settings.QUICKBOOKS_API_URL = "http://127.0.0.1:9"  # nothing listens there
    answer = signed_in(admin_user).get(f"{LIST}{connection.pk}/")
    assert answer.status_code == 200
    assert answer.context["form"] is None
    page = answer.content.decode()
    assert "could not read the accounts and vendors from QuickBooks" in page
    assert "could not be reached" in page


def test_disconnecting_asks_first_then_revokes(
    sandbox: Sandbox, connection: QuickBooksConnection, signed_in: Any, admin_user: User
) -> None:  # SPEC QB-14
    client = signed_in(admin_user)
    dialog = client.get(f"{LIST}{connection.pk}/disconnect/").content.decode()
    assert "Disconnect the QuickBooks company" in dialog
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED
    answer = client.post(f"{LIST}{connection.pk}/disconnect/", follow=True)
    assert "is disconnected" in _texts(answer)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.refresh_token == ""
    listing = answer.content.decode()
    assert ">Disconnected<" in listing
    assert "Reconnect" in listing
    page = client.get(f"{LIST}{connection.pk}/").content.decode()
    assert "is disconnected. Connect it again" in page


def test_open_in_quickbooks_links_the_sandbox_company_or_intuit_app(
    connection: QuickBooksConnection, settings: Any
) -> None:  # SPEC QB-14
    assert links.company_url(connection) == (
        f"{settings.QUICKBOOKS_APP_URL}/companies/{connection.realm_id}"
    )
    settings.QUICKBOOKS_APP_URL = "https://app.qbo.intuit.com"
    assert links.company_url(connection) == "https://app.qbo.intuit.com/"


def test_pages_with_connect_let_the_form_lead_to_the_consent_page(
    sandbox: Sandbox, signed_in: Any, admin_user: User
) -> None:  # SPEC QB-14
    # Browsers check a form's redirect against form-action: without the consent page's origin
    # there, Connect would be blocked in the browser.
    policy = signed_in(admin_user).get(LIST)["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if p.strip().startswith("form-action"))
    assert form_action.split()[1:] == ["'self'", sandbox.base_url]


def test_sync_products_starts_a_run_and_shows_what_it_did(
    connection: QuickBooksConnection,
    signed_in: Any,
    admin_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:  # SPEC QB-14
    client = signed_in(admin_user)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs (immediate backend)
        started = client.post(f"{LIST}{connection.pk}/sync/", follow=True)
    assert "Product sync has started" in _texts(started)
    run = connection.product_syncs.get()
    assert run.requested_by == admin_user
    assert run.status == "done", run.message
    page = client.get(f"{LIST}{connection.pk}/")
    assert page.context["runs"] == [run]
    assert f'data-testid="imported">{run.imported}<' in page.content.decode()
