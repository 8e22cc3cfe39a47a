"""Managing users through the services: invitations (sent after commit, accepted once, expiring),
roles, deactivation, the last-super-admin rule, and the history every change leaves."""

import pytest
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.test import RequestFactory

from faktura.accounts.models import Role, User
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.emails.models import EmailStatus, OutboundEmail
from faktura.history.models import Entry
from faktura.team import invitations, services
from faktura.team.rules import active_super_admins
from faktura.team.tests.mailbox import BASE_URL, invitation_email, link_path, token_in


def login_request() -> HttpRequest:
    """Sign-ins go through axes, which needs the request they came with."""
    return RequestFactory().post("/login/")


pytestmark = pytest.mark.django_db

LAST_SUPER_ADMIN = (
    "Faktura needs at least one active super admin: make another user a super admin first."
)
PASSWORD = "fjord-lantern-42"


def user_events(user):
    return list(
        Entry.objects.filter(object_type="user", object_id=user.pk)
        .order_by("id")
        .values_list("event_type", "property", "old_value", "new_value", "actor_user_id")
    )


def test_invite_creates_a_user_without_password_and_queues_the_email_after_commit(
    admin, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user = services.invite_user(
            actor=admin,
            email="Ola.Nordmann@Example.com",
            role=Role.EDITOR,
            base_url=BASE_URL,
            first_name=" Ola ",
            last_name="Nordmann",
        )
    assert (user.username, user.email, user.role) == (
        "ola.nordmann@example.com",
        "Ola.Nordmann@Example.com",
        Role.EDITOR,
    )
    assert (user.first_name, user.last_name, user.is_active) == ("Ola", "Nordmann", True)
    assert not user.has_usable_password()
    # The email is a row, delivered by a task only once the transaction has committed.
    email = invitation_email(user)
    assert email.status == EmailStatus.QUEUED
    assert email.to == ["Ola.Nordmann@Example.com"]
    assert email.from_address == "team@nordlys.example"
    assert email.actor_user_id == admin_user.pk
    assert len(callbacks) == 1
    assert user_events(user) == [("user.invited", "", None, None, admin_user.pk)]


def test_invitation_email_says_who_invited_whom_for_which_role_and_how_long(
    invite, smtp_server, django_capture_on_commit_callbacks, admin_user
):
    admin_user.first_name, admin_user.last_name = "Alex", "Admin"
    admin_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        user = invite("kari@example.com", role=Role.VIEWER, first_name="Kari")
    [message] = smtp_server.messages
    assert message["To"] == "kari@example.com"
    assert message["Subject"] == "Your invitation to Faktura at Nordlys AS"
    body = message.get_body(("plain",)).get_content()
    assert "Hello Kari," in body
    assert "Alex Admin invited you to Faktura, the invoicing of Nordlys AS, as: View only." in body
    assert "It works once, for 7 days:" in body
    assert f"http://testserver{link_path(user)}" in body
    assert "sign in at http://testserver/login/ with the username kari@example.com" in body
    assert invitation_email(user).status == EmailStatus.SENT


def test_accepting_sets_the_password_and_the_link_then_stops_working(invite):
    user = invite()
    token = token_in(link_path(user))
    assert invitations.check(user, token)
    accepted = services.accept_invitation(user, token=token, password=PASSWORD)
    assert authenticate(login_request(), username="ola@example.com", password=PASSWORD) == accepted
    assert user_events(user)[-1] == ("user.invitation_accepted", "", None, None, user.pk)
    used = invitations.check(User.objects.get(pk=user.pk), token)
    assert used.code == "invitation_invalid"
    assert "used already" in used.reason
    with pytest.raises(RuleViolation, match="used already"):
        services.accept_invitation(user, token=token, password="another-" + PASSWORD)


def test_weak_password_is_refused_with_the_validators_words_and_the_link_still_works(invite):
    user = invite()
    token = token_in(link_path(user))
    with pytest.raises(RuleViolation) as refusal:
        services.accept_invitation(user, token=token, password="12345678")
    assert "This password is too common." in refusal.value.reason
    assert "This password is entirely numeric." in refusal.value.reason
    assert invitations.check(User.objects.get(pk=user.pk), token)


def test_an_expired_link_says_so_and_asks_for_a_new_one(invite, later):
    user = invite()
    token = token_in(link_path(user))
    later(6)
    assert invitations.check(user, token)
    later(8)
    expired = invitations.check(user, token)
    assert expired.code == "invitation_expired"
    assert "This invitation expired on" in expired.reason
    assert "Ask a super admin to send you a new one." in expired.reason
    with pytest.raises(RuleViolation, match="expired"):
        services.accept_invitation(user, token=token, password=PASSWORD)


def test_a_tampered_or_foreign_link_is_refused(invite):
    ola, kari = invite(), invite("kari@example.com")
    token = token_in(link_path(ola))
    assert not invitations.check(kari, token)
    assert not invitations.check(ola, token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not invitations.check(None, token)


def test_resending_replaces_the_earlier_link(invite, admin, admin_user):
    user = invite()
    first = token_in(link_path(user))
    services.resend_invitation(user, actor=admin, base_url=BASE_URL)
    user.refresh_from_db()
    second = token_in(link_path(user))
    assert OutboundEmail.objects.filter(object_type="user", object_id=user.pk).count() == 2
    assert invitations.check(user, first).code == "invitation_invalid"
    assert invitations.check(user, second)
    assert user_events(user)[-1] == ("user.invitation_resent", "", None, None, admin_user.pk)


def test_an_accepted_invitation_cannot_be_resent(invite, admin):
    user = invite()
    services.accept_invitation(user, token=token_in(link_path(user)), password=PASSWORD)
    with pytest.raises(RuleViolation, match="accepted the invitation already"):
        services.resend_invitation(user, actor=admin, base_url=BASE_URL)


@pytest.mark.parametrize("typed", ["ola@example.com", "OLA@EXAMPLE.COM", " ola@example.com "])
def test_an_address_that_belongs_to_a_user_is_refused_whatever_its_case(invite, typed):
    invite()
    with pytest.raises(RuleViolation, match="is invited already") as refusal:
        invite(typed)
    assert refusal.value.code == "duplicate_email"
    assert User.objects.filter(email__iexact="ola@example.com").count() == 1


def test_the_refusal_of_a_duplicate_says_what_to_do_instead(invite, admin, editor_user):
    with pytest.raises(RuleViolation, match="who is a user already: change their role instead"):
        invite(editor_user.email)
    services.deactivate_user(editor_user, actor=admin)
    with pytest.raises(RuleViolation, match="who is deactivated: reactivate them instead"):
        invite(editor_user.email.upper())


def test_invitations_refuse_bad_input_and_non_super_admins(invite, editor, viewer):
    with pytest.raises(RuleViolation, match="'ola@' is not an email address"):
        invite("ola@")
    with pytest.raises(RuleViolation, match="“boss” is not a role"):
        invite(role="boss")
    for actor in (editor, viewer):
        with pytest.raises(RuleViolation, match="Only a super admin can invite users") as no:
            services.invite_user(
                actor=actor, email="x@example.com", role=Role.VIEWER, base_url=BASE_URL
            )
        assert no.value.code == "permission_denied"
    assert not User.objects.filter(email="x@example.com").exists()


def test_without_a_default_from_address_the_inviters_own_is_used(account, invite, admin_user):
    account(default_from_email="")
    user = invite()
    assert invitation_email(user).from_address == admin_user.email
    account(default_from_email="")
    with pytest.raises(RuleViolation, match="no address to send the invitation from"):
        services.invite_user(
            actor=Actor.system("tests"), email="k@example.com", role="viewer", base_url=BASE_URL
        )


def test_role_change_is_recorded_with_old_and_new_role(admin, admin_user, editor_user):
    services.change_role(editor_user, Role.VIEWER, actor=admin)
    editor_user.refresh_from_db()
    assert editor_user.role == Role.VIEWER
    assert user_events(editor_user) == [("", "role", "editor", "viewer", admin_user.pk)]
    services.change_role(editor_user, Role.VIEWER, actor=admin)  # no change, no history
    assert len(user_events(editor_user)) == 1


def test_the_last_active_super_admin_cannot_be_demoted_or_deactivated(admin, admin_user):
    for role in (Role.EDITOR, Role.VIEWER):
        with pytest.raises(RuleViolation, match=LAST_SUPER_ADMIN) as refusal:
            services.change_role(admin_user, role, actor=admin)
        assert refusal.value.code == "last_super_admin"
    with pytest.raises(RuleViolation, match=LAST_SUPER_ADMIN):
        services.deactivate_user(admin_user, actor=admin)
    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_active) == (Role.SUPER_ADMIN, True)
    assert user_events(admin_user) == []


def test_with_a_second_super_admin_one_may_step_down(admin, admin_user, editor_user):
    services.change_role(editor_user, Role.SUPER_ADMIN, actor=admin)
    services.change_role(admin_user, Role.VIEWER, actor=admin)
    assert list(active_super_admins()) == [editor_user]
    editor_user.refresh_from_db()
    with pytest.raises(RuleViolation, match=LAST_SUPER_ADMIN):
        services.deactivate_user(editor_user, actor=Actor.for_user(editor_user))


def test_an_invited_super_admin_counts_only_once_they_have_a_password(admin, admin_user, invite):
    boss = invite("boss@example.com", role=Role.SUPER_ADMIN)
    with pytest.raises(RuleViolation, match=LAST_SUPER_ADMIN):
        services.change_role(admin_user, Role.EDITOR, actor=admin)
    services.accept_invitation(boss, token=token_in(link_path(boss)), password=PASSWORD)
    services.change_role(admin_user, Role.EDITOR, actor=admin)
    assert list(active_super_admins()) == [boss]


def test_demoting_a_django_superuser_takes_the_superuser_flags_too(admin, viewer_user):
    root = User.objects.create_superuser("root", "root@example.com", "pw-for-tests")
    assert root.role == Role.VIEWER  # the model's default; is_superuser makes it a super admin
    services.change_role(root, Role.EDITOR, actor=admin)
    root.refresh_from_db()
    assert (root.role, root.is_superuser, root.is_staff) == (Role.EDITOR, False, False)
    assert user_events(root)[-1][1:4] == ("role", "super_admin", "editor")


def test_deactivated_users_cannot_sign_in_until_reactivated(admin, admin_user, editor_user):
    services.deactivate_user(editor_user, actor=admin)
    assert authenticate(login_request(), username="editor", password="pw-for-tests") is None
    with pytest.raises(RuleViolation, match="deactivated already"):
        services.deactivate_user(editor_user, actor=admin)
    services.reactivate_user(editor_user, actor=admin)
    assert authenticate(login_request(), username="editor", password="pw-for-tests") == editor_user
    with pytest.raises(RuleViolation, match="active already"):
        services.reactivate_user(editor_user, actor=admin)
    assert [e[0] for e in user_events(editor_user)] == ["user.deactivated", "user.reactivated"]


def test_deactivating_an_invited_user_withdraws_the_link(invite, admin):
    user = invite()
    token = token_in(link_path(user))
    services.deactivate_user(user, actor=admin)
    user.refresh_from_db()
    assert invitations.check(user, token).code == "invitation_withdrawn"
    with pytest.raises(RuleViolation, match="deactivated: reactivate them first"):
        services.resend_invitation(user, actor=admin, base_url=BASE_URL)
    services.reactivate_user(user, actor=admin)
    user.refresh_from_db()
    # The old link stays dead; a resent one works.
    assert invitations.check(user, token).code == "invitation_invalid"
    services.resend_invitation(user, actor=admin, base_url=BASE_URL)
    assert invitations.check(User.objects.get(pk=user.pk), token_in(link_path(user)))


def test_only_super_admins_change_roles_or_deactivate(editor, viewer, viewer_user, editor_user):
    for actor in (editor, viewer):
        with pytest.raises(RuleViolation, match="Only a super admin"):
            services.change_role(viewer_user, Role.SUPER_ADMIN, actor=actor)
        with pytest.raises(RuleViolation, match="Only a super admin"):
            services.deactivate_user(editor_user, actor=actor)
    viewer_user.refresh_from_db()
    assert viewer_user.role == Role.VIEWER
