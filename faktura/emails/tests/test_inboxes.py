"""Settings → Connected inboxes: super admins connect team addresses and say who may send
from them; the Send dialog and the composer offer them to those users only (INV-28)."""

import pytest

from faktura.core.errors import RuleViolation
from faktura.emails import services
from faktura.emails.models import ConnectedInbox
from faktura.emails.queries import inboxes_for

pytestmark = pytest.mark.django_db


def test_super_admin_connects_changes_and_disconnects_an_inbox(signed_in, admin_user, editor_user):
    client = signed_in(admin_user)
    assert "/settings/inboxes/" in client.get("/settings/").content.decode()
    answer = client.post(
        "/settings/inboxes/",
        {"address": "sales@nordlys.example", "name": "Sales", "shared": "on",
         "users": [editor_user.pk]},
    )  # fmt: skip
    assert answer.status_code == 302
    inbox = ConnectedInbox.objects.get()
    assert list(inboxes_for(editor_user)) == [inbox]
    client.post(
        "/settings/inboxes/",
        {"inbox": inbox.pk, "address": "sales@nordlys.example", "name": "Sales team"},
    )
    inbox.refresh_from_db()
    assert inbox.name == "Sales team"
    assert list(inboxes_for(editor_user)) == []
    client.post("/settings/inboxes/", {"inbox": inbox.pk, "remove": "1"})
    assert not ConnectedInbox.objects.exists()


def test_the_same_address_is_connected_once(admin):
    services.save_inbox(actor=admin, address="team@nordlys.example")
    with pytest.raises(RuleViolation, match="is connected already"):
        services.save_inbox(actor=admin, address="TEAM@nordlys.example")


def test_only_super_admins_manage_inboxes(signed_in, editor_user, editor):
    assert signed_in(editor_user).get("/settings/inboxes/").status_code == 403
    with pytest.raises(RuleViolation):
        services.save_inbox(actor=editor, address="team@nordlys.example")
