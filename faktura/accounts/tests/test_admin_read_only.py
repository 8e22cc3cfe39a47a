"""The Django admin shows records and changes none (issue 13 item 12): users, groups and every
other registered model, whoever registered it; user management lives in Settings → Users."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from faktura.accounts.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model_admin", list(admin.site._registry.values()), ids=str)
def test_every_registered_admin_adds_changes_and_deletes_nothing(rf, model_admin):
    request = rf.get("/admin/")
    request.user = User(username="root", is_superuser=True, is_staff=True, is_active=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.fixture
def root(client):
    user = User.objects.create_superuser("root", "root@example.com", "pw-for-tests")
    client.force_login(user)
    return user


def test_a_superuser_cannot_create_a_user_or_make_one_super_admin_in_the_admin(
    client, root, viewer_user
):
    created = {"username": "mallory", "password1": "Pw-for-tests-9", "password2": "Pw-for-tests-9"}
    assert client.post("/admin/accounts/user/add/", created).status_code == 403
    change = f"/admin/accounts/user/{viewer_user.pk}/change/"
    promoted = {"username": "viewer", "role": Role.SUPER_ADMIN, "is_superuser": "on"}
    assert client.post(change, promoted).status_code == 403
    password = f"/admin/accounts/user/{viewer_user.pk}/password/"
    assert (
        client.post(password, {"password1": "x-Pw-123456", "password2": "x-Pw-123456"}).status_code
        == 403
    )
    assert (
        client.post(f"/admin/accounts/user/{viewer_user.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    viewer_user.refresh_from_db()
    assert (viewer_user.role, viewer_user.is_superuser) == (Role.VIEWER, False)
    assert viewer_user.check_password("pw-for-tests")
    assert not User.objects.filter(username="mallory").exists()


def test_groups_and_their_permissions_cannot_be_made_in_the_admin(client, root):
    # A group's permissions would grant admin rights around Faktura's roles.
    assert client.post("/admin/auth/group/add/", {"name": "admins"}).status_code == 403
    assert not Group.objects.exists()
    assert client.get("/admin/auth/group/").status_code == 200
