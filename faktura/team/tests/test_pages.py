"""Settings → Users and the invitation page through Django's test client: who may open them,
what the list shows, and an invitation followed from its email to a signed-in session."""

import io

import pytest
from django.core.management import CommandError, call_command

from faktura.accounts.models import Role, User
from faktura.team import services
from faktura.team.tests.mailbox import BASE_URL, invitation_email, link_path

pytestmark = pytest.mark.django_db

PASSWORD = "fjord-lantern-42"


def page_text(response):
    return response.content.decode()


def test_users_pages_are_403_with_the_reason_for_editors_and_viewers(
    client, editor_user, viewer_user, admin_user
):
    urls = [
        "/settings/users/",
        f"/settings/users/{admin_user.pk}/role/",
        f"/settings/users/{admin_user.pk}/deactivate/",
    ]
    posts = {
        "/settings/users/": {"email": "intruder@example.com", "role": "super_admin"},
        f"/settings/users/{viewer_user.pk}/role/": {"role": "super_admin"},
        f"/settings/users/{admin_user.pk}/deactivate/": {},
        f"/settings/users/{admin_user.pk}/reactivate/": {},
        f"/settings/users/{admin_user.pk}/resend/": {},
    }
    for user in (editor_user, viewer_user):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 403, url
            assert "Only a super admin can invite users" in page_text(response)
        for url, data in posts.items():
            assert client.post(url, data).status_code == 403, url
    assert not User.objects.filter(email="intruder@example.com").exists()
    viewer_user.refresh_from_db()
    admin_user.refresh_from_db()
    assert viewer_user.role == Role.VIEWER
    assert admin_user.is_active


def test_users_page_needs_a_signed_in_user(client):
    response = client.get("/settings/users/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/settings/users/"


def test_settings_page_links_to_users(signed_in, admin_user):
    assert 'href="/settings/users/"' in page_text(signed_in(admin_user).get("/settings/"))


def test_list_shows_name_email_role_state_last_login_and_pending_invitations(
    signed_in, admin_user, editor_user, viewer_user, invite, admin
):
    admin_user.first_name, admin_user.last_name = "Alex", "Admin"
    admin_user.save()
    invite("kari@example.com", role=Role.VIEWER, first_name="Kari", last_name="Nord")
    services.deactivate_user(viewer_user, actor=admin)
    client = signed_in(admin_user)
    client.get("/settings/")  # force_login sets last_login, as signing in does
    html = page_text(client.get("/settings/users/"))
    for text in ("Alex Admin", "admin@faktura.test", "Super admin", "You", "Kari Nord",
                 "kari@example.com", "View only", "Invitation pending", "link works until",
                 "User with invoice edit permission", "Deactivated", "Never"):  # fmt: skip
        assert text in html, text
    # The only super admin cannot be deactivated: the button is disabled, the reason beside it.
    assert "Faktura needs at least one active super admin" in html
    assert "Recent changes" in html
    assert "Alex Admin invited Kari Nord as View only." in html
    assert "Alex Admin deactivated viewer." in html


def test_invite_from_the_page_then_follow_the_link_and_get_signed_in(
    client, admin_user, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/settings/users/",
            {"email": "ola@example.com", "first_name": "Ola", "last_name": "", "role": "editor"},
            follow=True,
        )
    assert "Invited ola@example.com: the invitation email is on its way." in page_text(response)
    ola = User.objects.get(email="ola@example.com")
    [message] = smtp_server.messages
    body = message.get_body(("plain",)).get_content()
    path = link_path(ola)
    assert f"{BASE_URL}{path}" in body

    client.logout()
    form = client.get(path)
    assert form.status_code == 200
    assert "Choose a password" in page_text(form)
    assert form["Cache-Control"] == "no-store"
    assert form["Referrer-Policy"] == "no-referrer"  # the link is a secret
    mismatch = client.post(path, {"password": PASSWORD, "password_again": PASSWORD + "!"})
    assert "The two passwords differ" in page_text(mismatch)
    weak = client.post(path, {"password": "ola", "password_again": "ola"})
    assert weak.status_code == 400
    assert "This password is too short." in page_text(weak)

    done = client.post(path, {"password": PASSWORD, "password_again": PASSWORD}, follow=True)
    assert done.redirect_chain[0] == ("/", 302)
    assert "Welcome to Faktura, Ola." in page_text(done)
    assert int(client.session["_auth_user_id"]) == ola.pk
    assert client.get("/invoices/").status_code == 200

    client.logout()
    again = client.get(path)
    assert again.status_code == 400
    assert "was used already" in page_text(again)
    signed_in = client.post("/login/", {"username": "ola@example.com", "password": PASSWORD})
    assert signed_in.status_code == 302


def test_an_expired_invitation_page_says_so_and_offers_no_form(client, invite, later):
    ola = invite()
    later(8)
    response = client.get(link_path(ola))
    assert response.status_code == 400
    html = page_text(response)
    assert "This invitation expired on" in html
    assert "Ask a super admin to send you a new one." in html
    assert 'name="password"' not in html
    posted = client.post(link_path(ola), {"password": PASSWORD, "password_again": PASSWORD})
    assert posted.status_code == 400
    ola.refresh_from_db()
    assert not ola.has_usable_password()


def test_a_damaged_invitation_link_is_refused(client):
    response = client.get("/invitation/Zm9v/abc-def/")
    assert response.status_code == 400
    assert "is incomplete" in page_text(response)


def test_a_duplicate_invitation_is_refused_beside_the_form(signed_in, admin_user, editor_user):
    response = signed_in(admin_user).post(
        "/settings/users/", {"email": editor_user.email.upper(), "role": "viewer"}
    )
    assert response.status_code == 400
    assert "who is a user already: change their role instead" in page_text(response)


def test_role_dialog_shows_why_the_only_super_admin_cannot_step_down(signed_in, admin_user):
    client = signed_in(admin_user)
    dialog = page_text(client.get(f"/settings/users/{admin_user.pk}/role/"))
    assert "Faktura needs at least one active super admin" in dialog
    assert 'value="viewer" id="role-viewer" disabled' in dialog
    assert "Save role" not in dialog
    refused = client.post(f"/settings/users/{admin_user.pk}/role/", {"role": "viewer"})
    assert refused.status_code == 400
    assert "make another user a super admin first" in page_text(refused)
    admin_user.refresh_from_db()
    assert admin_user.role == Role.SUPER_ADMIN


def test_changing_a_role_from_the_dialog(signed_in, admin_user, viewer_user):
    response = signed_in(admin_user).post(
        f"/settings/users/{viewer_user.pk}/role/", {"role": "editor"}, follow=True
    )
    assert "viewer is now: User with invoice edit permission." in page_text(response)
    viewer_user.refresh_from_db()
    assert viewer_user.role == Role.EDITOR


def test_a_deactivated_users_open_session_stops_working(client, admin, editor_user):
    client.force_login(editor_user)
    assert client.get("/invoices/").status_code == 200
    services.deactivate_user(editor_user, actor=admin)
    response = client.get("/invoices/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    refused = client.post("/login/", {"username": "editor", "password": "pw-for-tests"})
    assert refused.status_code == 200  # the form again: a sign-in would redirect
    assert "username and password didn" in refused.text


def test_deactivating_yourself_signs_you_out(client, admin, admin_user, editor_user):
    services.change_role(editor_user, Role.SUPER_ADMIN, actor=admin)
    client.force_login(admin_user)
    response = client.post(f"/settings/users/{admin_user.pk}/deactivate/")
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    admin_user.refresh_from_db()
    assert not admin_user.is_active


def test_reactivate_and_resend_from_the_list(signed_in, admin, admin_user, viewer_user, invite):
    services.deactivate_user(viewer_user, actor=admin)
    client = signed_in(admin_user)
    response = client.post(f"/settings/users/{viewer_user.pk}/reactivate/", follow=True)
    assert "viewer is active again and can sign in." in page_text(response)
    ola = invite()
    response = client.post(f"/settings/users/{ola.pk}/resend/", follow=True)
    assert "A new invitation is on its way to ola@example.com" in page_text(response)
    response = client.post(f"/settings/users/{viewer_user.pk}/resend/", follow=True)
    assert "accepted the invitation already" in page_text(response)


def test_invite_user_command_invites_and_prints_the_link(admin_user):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "invite_user", "boss@example.com", "--url", "https://faktura.example.com",
        "--role", "super_admin", "--first-name", "Berit", stdout=out, stderr=err,
    )  # fmt: skip
    boss = User.objects.get(email="boss@example.com")
    assert (boss.role, boss.first_name) == (Role.SUPER_ADMIN, "Berit")
    assert out.getvalue().startswith("https://faktura.example.com/invitation/")
    assert "Invited boss@example.com as Super admin" in err.getvalue()
    assert "https://faktura.example.com/invitation/" in invitation_email(boss).text_body
    with pytest.raises(CommandError, match="is invited already"):
        call_command("invite_user", "boss@example.com", "--url", "https://faktura.example.com")
    with pytest.raises(CommandError, match="starting with http"):
        call_command("invite_user", "x@example.com", "--url", "faktura.example.com")


def test_invite_user_command_links_to_where_faktura_is_served_by_default(admin_user, settings):
    settings.FAKTURA_BASE_URL = "http://127.0.0.1:8101"
    out = io.StringIO()
    call_command("invite_user", "ola@example.com", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("http://127.0.0.1:8101/invitation/")


def test_the_django_admin_shows_users_read_only(client, viewer_user):
    root = User.objects.create_superuser("root", "root@example.com", "pw-for-tests")
    client.force_login(root)
    url = f"/admin/accounts/user/{viewer_user.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"username": "viewer", "role": "super_admin"}).status_code == 403
    assert client.get("/admin/accounts/user/add/").status_code == 403
    viewer_user.refresh_from_db()
    assert viewer_user.role == Role.VIEWER
