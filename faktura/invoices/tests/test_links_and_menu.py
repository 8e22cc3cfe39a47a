"""The buyer's view and public link, and the Actions menu of an invoice.

SPEC INV-15 (View invoice), INV-17 (Copy link), INV-18 (Send), INV-19 (Download). The email and
the PDF themselves come later; here the menu offers or refuses them.
"""

import re
from itertools import takewhile

import pytest

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.history.models import Entry
from faktura.invoices import menu, queries
from faktura.invoices import services as invoices
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.invoices.models import Invoice
from faktura.invoices.properties import INVOICE

DRAFT_KEYS = ["edit", "history", "clone", "delete"]
FINALIZED_KEYS = [
    "edit",
    "record_payment",
    "view",
    "history",
    "copy_link",
    "send",
    "download",
    "clone",
    "delete",
    "void",
]


def items(invoice, actor):
    return {item.key: item for item in menu.invoice_menu(invoice, actor)}


def shared_prefix(first: str, second: str) -> int:
    pairs = zip(first, second, strict=False)
    return sum(1 for _ in takewhile(lambda pair: pair[0] == pair[1], pairs))


def link(invoice):
    return INVOICE.property("hs_invoice_link").read(invoice)


# INV-15: the buyer's view --------------------------------------------------------------------


# SPEC INV-15
def test_public_token_shows_only_its_own_invoice_when_several_are_finalized(make_invoice):
    first = make_invoice(finalized=True)
    second = make_invoice(finalized=True, lines=[{"name": "Other", "unit_price": "5"}])

    shown = queries.invoice_for_public_token(first.public_token)
    assert shown.pk == first.pk
    assert [line.name for line in shown.lines.all()] == ["Consulting hour"]
    assert queries.invoice_for_public_token(second.public_token).pk == second.pk


@pytest.mark.parametrize(
    "token", ["", "not-a-token", "TRUNCATED", "EXTENDED", "ONE_OFF", "i/../1", "%", "' OR '1'='1"]
)
# SPEC INV-15
def test_public_view_refused_when_token_is_unknown(open_invoice, token):
    real = open_invoice.public_token
    token = {
        "TRUNCATED": real[:-1],
        "EXTENDED": real + "x",
        "ONE_OFF": real[:-1] + ("y" if real.endswith("x") else "x"),
    }.get(token, token)
    with pytest.raises(RuleViolation, match="This invoice link is not valid") as refused:
        queries.invoice_for_public_token(token)
    assert refused.value.code == "not_found"


# SPEC INV-15
def test_draft_has_no_public_view_when_cloned_from_finalized_invoice(editor, open_invoice):
    clone = invoices.clone_invoice(open_invoice, actor=editor)
    assert clone.public_token is None
    assert link(clone) is None
    # The source's link still shows the source, never the draft made from it.
    assert queries.invoice_for_public_token(open_invoice.public_token).pk == open_invoice.pk


# SPEC INV-15
def test_public_view_refused_when_invoice_was_deleted(admin, open_invoice, account):
    account(allow_deleting_invoices=True)
    token = open_invoice.public_token
    invoices.delete_invoice(open_invoice, actor=admin)
    with pytest.raises(RuleViolation, match="not valid") as refused:
        queries.invoice_for_public_token(token)
    assert refused.value.code == "not_found"


@pytest.mark.parametrize("who", ["admin", "editor", "viewer"])
# SPEC INV-15
def test_view_invoice_offered_when_invoice_is_finalized(request, who, make_invoice):
    actor = request.getfixturevalue(who)
    draft = make_invoice()
    finalized = make_invoice(finalized=True)
    assert "view" not in items(draft, actor)
    view = items(finalized, actor)["view"]
    assert view.label == "View invoice"
    assert view.decision.ok


# SPEC INV-15 SPEC INV-18 SPEC INV-19
def test_menu_lists_draft_actions_only_when_invoice_is_draft(editor, draft_invoice):
    listed = menu.invoice_menu(draft_invoice, editor)
    assert [item.key for item in listed] == DRAFT_KEYS
    assert [item.label for item in listed] == ["Edit", "View property history", "Clone", "Delete"]
    assert all(item.decision.ok for item in listed)


# SPEC INV-15 SPEC INV-17 SPEC INV-18 SPEC INV-19
def test_menu_lists_finalized_actions_when_invoice_is_finalized(editor, open_invoice):
    listed = menu.invoice_menu(open_invoice, editor)
    assert [item.key for item in listed] == FINALIZED_KEYS
    labels = {item.key: item.label for item in listed}
    assert (labels["view"], labels["copy_link"], labels["send"], labels["download"]) == (
        "View invoice",
        "Copy link",
        "Send",
        "Download",
    )


# SPEC INV-6 SPEC INV-21
def test_edit_and_delete_explained_when_settings_are_off(editor, open_invoice):
    offered = items(open_invoice, editor)
    for key in ("record_payment", "view", "copy_link", "send", "download", "clone", "void"):
        assert offered[key].decision.ok, key
    assert "Editing finalized invoices is turned off" in offered["edit"].decision.reason
    assert "Deleting finalized invoices is turned off" in offered["delete"].decision.reason


# SPEC INV-6 SPEC INV-18 SPEC INV-21
def test_write_actions_disabled_with_reason_when_user_is_view_only(viewer, open_invoice):
    offered = items(open_invoice, viewer)
    for key in ("edit", "record_payment", "send", "clone", "delete", "void"):
        decision = offered[key].decision
        assert not decision.ok, key
        assert decision.code == "permission_denied", key
        assert "view-only access" in decision.reason, key
    for key in ("view", "history", "copy_link", "download"):
        assert offered[key].decision.ok, key


# SPEC INV-8 SPEC INV-23
def test_void_and_record_payment_explained_when_invoice_is_paid_manually(editor, open_invoice):
    record_invoice_payment(open_invoice, actor=editor, amount="250.00")
    offered = items(Invoice.objects.get(pk=open_invoice.pk), editor)
    assert "manual payment of 250.00 USD" in offered["void"].decision.reason
    assert "already paid in full" in offered["record_payment"].decision.reason
    assert offered["send"].decision.ok
    assert offered["download"].decision.ok


# SPEC INV-18 SPEC INV-23
def test_void_and_record_payment_explained_when_invoice_is_voided(editor, open_invoice):
    voided = invoices.void_invoice(open_invoice, actor=editor)
    offered = items(voided, editor)
    assert "already voided" in offered["void"].decision.reason
    assert "voided and can no longer take a payment" in offered["record_payment"].decision.reason


# INV-17: the public link -------------------------------------------------------------------


# SPEC INV-17
def test_public_token_is_long_random_and_distinct_when_invoices_are_finalized(make_invoice):
    finalized = [make_invoice(finalized=True) for _ in range(5)]
    tokens = [invoice.public_token for invoice in finalized]

    assert len(set(tokens)) == len(tokens)
    for invoice, token in zip(finalized, tokens, strict=True):
        assert len(token) >= 43  # 32 random bytes
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
        assert token != invoice.number
        assert invoice.number not in token
    # No shared stem that would hint at a sequence.
    for index, token in enumerate(tokens):
        for other in tokens[index + 1 :]:
            assert shared_prefix(token, other) < 8


# SPEC INV-17
def test_link_lives_on_configured_domain_when_setting_is_set(make_invoice, account):
    account(invoice_public_domain="https://billing.example.com/")
    invoice = make_invoice(finalized=True)

    url = link(invoice)

    assert url == f"https://billing.example.com/i/{invoice.public_token}/"
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert queries.invoice_for_public_token(token).pk == invoice.pk


# SPEC INV-17
def test_link_follows_domain_when_setting_changes_later(open_invoice, account):
    account(invoice_public_domain="https://old.example.com")
    assert link(open_invoice) == f"https://old.example.com/i/{open_invoice.public_token}/"
    account(invoice_public_domain="https://pay.example.org")
    assert link(open_invoice) == f"https://pay.example.org/i/{open_invoice.public_token}/"


# SPEC INV-17
def test_without_a_domain_links_follow_the_address_faktura_is_served_at(
    open_invoice, settings, signed_in, admin_user
):
    token = open_invoice.public_token
    # `serve --port 8101` sets FAKTURA_BASE_URL, for its web server and its worker alike.
    settings.FAKTURA_BASE_URL = "http://127.0.0.1:8101"
    assert link(open_invoice) == f"http://127.0.0.1:8101/i/{token}/"
    # Served some other way: the address of the request being answered (Copy link, emails).
    settings.FAKTURA_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["10.0.0.7"]
    page = signed_in(admin_user).get(f"/invoices/{open_invoice.pk}/", HTTP_HOST="10.0.0.7:8101")
    assert f"http://10.0.0.7:8101/i/{token}/" in page.content.decode()


def test_clearing_the_domain_setting_makes_links_follow_the_served_address(
    open_invoice, account, settings
):
    settings.FAKTURA_BASE_URL = "http://127.0.0.1:8101"
    account(invoice_public_domain="https://billing.example.com")
    account(invoice_public_domain="")
    assert link(open_invoice) == f"http://127.0.0.1:8101/i/{open_invoice.public_token}/"


# SPEC INV-17
def test_link_is_absent_when_invoice_is_draft(draft_invoice, viewer):
    assert draft_invoice.public_token is None
    assert link(draft_invoice) is None
    assert "copy_link" not in items(draft_invoice, viewer)


# SPEC INV-17
def test_link_unchanged_when_invoice_is_paid_or_voided(admin, make_invoice):
    paid = make_invoice(finalized=True)
    voided = make_invoice(finalized=True)
    paid_link, voided_link = link(paid), link(voided)
    record_invoice_payment(paid, actor=admin, amount="250.00")
    invoices.void_invoice(voided, actor=admin)
    assert link(queries.invoice_for_public_token(paid.public_token)) == paid_link
    assert link(queries.invoice_for_public_token(voided.public_token)) == voided_link


@pytest.mark.parametrize("who", ["admin", "editor", "viewer"])
# SPEC INV-17
def test_copy_link_offered_when_invoice_is_finalized(request, who, open_invoice):
    actor = request.getfixturevalue(who)
    copy = items(open_invoice, actor)["copy_link"]
    assert copy.decision.ok


# INV-18 / INV-19: Send and Download ---------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor"])
# SPEC INV-18 SPEC INV-19
def test_send_and_download_offered_when_invoice_is_open_or_paid(request, who, make_invoice):
    actor = request.getfixturevalue(who)
    open_one = make_invoice(finalized=True)
    paid = make_invoice(finalized=True)
    record_invoice_payment(paid, actor=actor, amount="250.00")
    for invoice in (open_one, paid):
        offered = items(invoice, actor)
        assert offered["send"].decision.ok, invoice.status
        assert offered["download"].decision.ok, invoice.status


# SPEC INV-18 SPEC INV-19
def test_send_refused_but_download_offered_when_invoice_is_voided(admin, open_invoice):
    voided = invoices.void_invoice(open_invoice, actor=admin)
    offered = items(voided, admin)
    send = offered["send"].decision
    assert not send
    assert send.code == "invalid_state"
    assert send.reason == f"Invoice {voided.number} is voided and is not sent any more."
    assert offered["download"].decision.ok


@pytest.mark.parametrize(
    "make_actor", [lambda u: Actor.for_user(u), lambda u: Actor.api(u, "API key of viewer")]
)
# SPEC INV-18 SPEC INV-19
def test_send_refused_but_download_offered_when_user_is_view_only(
    viewer_user, open_invoice, make_actor
):
    offered = items(open_invoice, make_actor(viewer_user))
    send = offered["send"].decision
    assert not send
    assert send.code == "permission_denied"
    assert "view-only access" in send.reason
    assert offered["download"].decision.ok


# SPEC INV-18
def test_send_refused_for_viewer_when_invoice_is_voided_too(admin, viewer, open_invoice):
    voided = invoices.void_invoice(open_invoice, actor=admin)
    send = items(voided, viewer)["send"].decision
    assert (send.ok, send.code) == (False, "permission_denied")


# SPEC INV-18 SPEC INV-19
def test_send_and_download_absent_when_invoice_is_draft(admin, draft_invoice):
    offered = items(draft_invoice, admin)
    assert "send" not in offered
    assert "download" not in offered


# SPEC INV-18
def test_send_offered_when_workflow_acts(open_invoice):
    assert items(open_invoice, Actor.workflow("Send reminders"))["send"].decision.ok


# SPEC INV-15 SPEC INV-17 SPEC INV-18 SPEC INV-19
def test_menu_writes_nothing_when_listed(viewer, open_invoice):
    before = (Invoice.objects.filter(pk=open_invoice.pk).values().get(), Entry.objects.count())
    menu.invoice_menu(open_invoice, viewer)
    after = (Invoice.objects.filter(pk=open_invoice.pk).values().get(), Entry.objects.count())
    assert after == before
