"""Sign-in throttling (issue 13 item 6): failures are counted per username and per client
address; over the limit the login page says why and for how long, the right password is refused
too, and a super admin unlocks the user in Settings → Users."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from faktura.accounts.models import User
from faktura.history.models import Entry

LIMIT = 10
ADDRESS_LIMIT = 50
PASSWORD = "pw-for-tests"


def sign_in(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_eleven_wrong_passwords_lock_the_account_even_for_the_right_one(client, editor_user):
    answers = [sign_in(client, "editor", f"wrong-{i}") for i in range(LIMIT + 1)]
    assert [a.status_code for a in answers[: LIMIT - 1]] == [200] * (LIMIT - 1)
    assert "username and password didn" in answers[0].text
    locked = answers[-1]
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account." in locked.text
    assert "Try again in 15 minutes, or ask a super admin to unlock it in Settings" in locked.text
    assert 'name="password"' in locked.text  # the normal page, not axes' bare text
    right = sign_in(client, "editor", PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_account_sprayed_from_many_addresses_is_locked(client, editor_user):
    for i in range(LIMIT):
        sign_in(client, "editor", "wrong", address=f"198.51.100.{i + 1}")
    assert sign_in(client, "editor", PASSWORD, address="192.0.2.200").status_code == 429


def test_one_address_trying_many_accounts_is_locked(client, editor_user, viewer_user):
    for i in range(LIMIT):
        sign_in(client, f"someone-{i}@example.com", "guess")
    # An office shares one address: ten colleagues' typos do not lock everyone out …
    assert sign_in(Client(), "editor", PASSWORD).status_code == 302
    for i in range(LIMIT, ADDRESS_LIMIT):
        sign_in(client, f"someone-{i}@example.com", "guess")
    # … guessing at fifty accounts does.
    refused = sign_in(client, "viewer", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins came from your network address." in refused.text
    assert "manage.py axes_reset_ip" in refused.text
    assert "_auth_user_id" not in client.session
    # Another address is not held back by it.
    assert sign_in(client, "viewer", PASSWORD, address="192.0.2.9").status_code == 302


def test_a_success_forgets_that_accounts_failures_only(client, editor_user, viewer_user):
    for _ in range(3):
        sign_in(client, "editor", "wrong")
    sign_in(client, "someone@example.com", "guess")
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="editor").exists()
    assert AccessAttempt.objects.filter(username="someone@example.com").exists()


def test_a_super_admin_unlocks_a_locked_user_who_then_signs_in(client, admin_user, editor_user):
    other = Client()
    for _ in range(LIMIT):
        sign_in(other, "editor", "wrong", address="198.51.100.50")
    client.force_login(admin_user)
    page = client.get("/settings/users/")
    row = page.text.split('data-user="editor"')[1].split("</tr>")[0]
    assert "Locked — unlock" in row
    assert "Locked — unlock" not in page.text.split('data-user="admin"')[1].split("</tr>")[0]

    done = client.post(f"/settings/users/{editor_user.pk}/unlock/", follow=True)
    assert "may sign in again" in done.text
    assert "unlocked the sign-in of" in done.text
    assert Entry.objects.filter(object_id=editor_user.pk, event_type="user.unlocked").exists()
    assert sign_in(Client(), "editor", PASSWORD, address="198.51.100.50").status_code == 302


@pytest.mark.parametrize("role_user", ["editor_user", "viewer_user"])
def test_only_a_super_admin_may_unlock(client, request, role_user, admin_user):
    user: User = request.getfixturevalue(role_user)
    client.force_login(user)
    assert client.post(f"/settings/users/{admin_user.pk}/unlock/").status_code == 403


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, settings, editor_user):
    settings.FAKTURA_TRUSTED_PROXIES = 1
    for i in range(LIMIT):
        client.post(
            "/login/",
            {"username": f"x{i}", "password": "guess"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.77",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.77"}
    # Clients behind the same proxy but at other addresses still sign in.
    ok = client.post(
        "/login/",
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.78",
    )
    assert ok.status_code == 302
