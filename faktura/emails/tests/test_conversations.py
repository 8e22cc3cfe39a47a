"""The conversations inbox (INV-27, INV-28): one-to-one emails per connected inbox, with replies
added by hand or imported from the reply's message file; only for users of that inbox."""

import pytest

from faktura.accounts.models import Role, User
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.emails import conversations
from faktura.emails.composing import send_one_to_one
from faktura.emails.models import ConnectedInbox, Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(editor, editor_user, contact):
    inbox = ConnectedInbox.objects.create(address="sales@nordlys.example", name="Sales")
    inbox.users.add(editor_user)
    email = send_one_to_one(
        contact, actor=editor, to=[contact.email], from_address=inbox.address,
        subject="Checking in", body="How is the engine?",
    )  # fmt: skip
    return inbox, email


def reply_file(answers: str, message_id: str = "<r1@example.com>") -> bytes:
    return (
        "From: Ada Lovelace <ada@example.com>\r\nTo: sales@nordlys.example\r\n"
        f"Subject: Re: Checking in\r\nMessage-ID: {message_id}\r\nIn-Reply-To: {answers}\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nRunning smoothly, thanks!\r\n"
    ).encode()


def test_inbox_page_shows_threads_and_a_reply_added_by_hand(signed_in, editor_user, thread):
    _, email = thread
    client = signed_in(editor_user)
    page = client.get("/conversations/").content.decode()
    assert "Checking in" in page
    assert "How is the engine?" in page
    client.post("/conversations/", {"email": email.pk, "from_address": "ada@example.com",
                                    "body": "All good."})  # fmt: skip
    assert "All good." in client.get("/conversations/").content.decode()


def test_reply_imported_from_its_message_file_once(editor, thread):
    _, email = thread
    reply = conversations.import_reply(reply_file(email.message_id), actor=editor)
    assert (reply.email, reply.from_address) == (email, "ada@example.com")
    assert reply.body == "Running smoothly, thanks!"
    with pytest.raises(RuleViolation, match="imported already"):
        conversations.import_reply(reply_file(email.message_id), actor=editor)


def test_reply_to_nothing_faktura_sent_is_refused(editor, thread):
    with pytest.raises(RuleViolation, match="does not answer an email sent from Faktura"):
        conversations.import_reply(reply_file("<someone-else@example.com>"), actor=editor)
    assert not Reply.objects.exists()


def test_users_see_only_the_inboxes_they_may_use(signed_in, viewer_user, thread):
    _, email = thread
    assert "Checking in" not in signed_in(viewer_user).get("/conversations/").content.decode()
    outsider = User.objects.create_user("outsider", "outsider@faktura.test", role=Role.EDITOR)
    with pytest.raises(RuleViolation, match="not in an inbox you can use"):
        conversations.add_reply(
            email.pk, actor=Actor.for_user(outsider), from_address="a@b.org", body="x",
            received_at=email.created_at,
        )  # fmt: skip


def test_view_only_users_add_no_replies(viewer_user, thread):
    inbox, email = thread
    inbox.users.add(viewer_user)
    with pytest.raises(RuleViolation, match="view-only access"):
        conversations.add_reply(
            email.pk, actor=Actor.for_user(viewer_user), from_address="a@b.org", body="x",
            received_at=email.created_at,
        )  # fmt: skip
    assert not Reply.objects.exists()
