"""The buyer's link (INV-15, INV-17) and the Actions menu (INV-4, INV-15…INV-23)."""

import pytest

from faktura.core.errors import RuleViolation
from faktura.invoices import invoice_payments, services
from faktura.invoices.menu import invoice_menu
from faktura.invoices.properties import INVOICE
from faktura.invoices.queries import invoice_for_public_token

DRAFT_MENU = ["edit", "history", "clone", "delete"]
FINALIZED_MENU = [
    "edit", "record_payment", "view", "history", "copy_link", "send", "download", "clone",
    "delete", "void",
]  # fmt: skip


def menu(invoice, actor) -> dict:
    return {item.key: item.decision for item in invoice_menu(invoice, actor)}


def test_public_link_shows_that_one_invoice_when_opened(make_invoice, system):
    # SPEC INV-15 SPEC INV-17
    first = services.finalize_invoice(make_invoice(), actor=system)
    second = services.finalize_invoice(make_invoice(), actor=system)
    assert first.public_token is not None
    assert second.public_token is not None
    assert invoice_for_public_token(first.public_token) == first
    assert invoice_for_public_token(second.public_token) == second
    last = "y" if first.public_token.endswith("x") else "x"
    with pytest.raises(RuleViolation, match="not valid") as refused:
        invoice_for_public_token(first.public_token[:-1] + last)  # one character off
    assert refused.value.code == "not_found"
    with pytest.raises(RuleViolation, match="not valid"):
        invoice_for_public_token("")


def test_draft_has_no_public_link_when_not_finalized(draft_invoice):  # SPEC INV-17 SPEC INV-5
    assert draft_invoice.public_token is None
    assert INVOICE.property("hs_invoice_link").read(draft_invoice) is None


def test_link_is_unguessable_and_on_configured_domain_when_finalized(
    make_invoice, system, account
):  # SPEC INV-17
    account(invoice_public_domain="https://billing.example.com")
    tokens = {
        services.finalize_invoice(make_invoice(), actor=system).public_token for _ in range(5)
    }
    assert len(tokens) == 5
    assert all(token and len(token) >= 40 for token in tokens)  # 32 random bytes, url-safe
    invoice = services.finalize_invoice(make_invoice(), actor=system)
    link = INVOICE.property("hs_invoice_link").read(invoice)
    assert link == f"https://billing.example.com/i/{invoice.public_token}/"


def test_draft_menu_offers_edit_history_clone_delete(editor, draft_invoice):  # SPEC INV-4
    items = menu(draft_invoice, editor)
    assert list(items) == DRAFT_MENU
    assert all(decision.ok for decision in items.values())


def test_finalized_menu_offers_view_copy_send_download_when_open(editor, open_invoice):
    # SPEC INV-15 SPEC INV-17 SPEC INV-18 SPEC INV-19 SPEC INV-20
    items = menu(open_invoice, editor)
    assert list(items) == FINALIZED_MENU
    for key in ("record_payment", "view", "copy_link", "send", "download", "clone", "void"):
        assert items[key].ok, key
    assert "turned off" in items["edit"].reason  # INV-6 setting is off by default
    assert "turned off" in items["delete"].reason


def test_menu_items_disabled_with_reasons_when_user_is_view_only(viewer, open_invoice):
    # SPEC INV-18 SPEC INV-6 SPEC INV-21
    items = menu(open_invoice, viewer)
    for key in ("edit", "record_payment", "send", "clone", "delete", "void"):
        assert not items[key].ok
        assert "view-only" in items[key].reason
    for key in ("view", "history", "copy_link", "download"):
        assert items[key].ok


def test_send_disabled_and_void_explained_when_invoice_is_voided(editor, open_invoice):
    # SPEC INV-18 SPEC INV-23
    voided = services.void_invoice(open_invoice, actor=editor)
    items = menu(voided, editor)
    assert "voided" in items["send"].reason
    assert "already voided" in items["void"].reason
    assert "voided" in items["record_payment"].reason
    assert items["download"].ok  # SPEC INV-19: the document stays available


def test_void_and_edit_reasons_name_the_payment_when_paid_manually(editor, open_invoice):
    # SPEC INV-8 SPEC INV-23
    invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="250.00")
    open_invoice.refresh_from_db()
    items = menu(open_invoice, editor)
    assert "manual payment of 250.00 USD" in items["void"].reason
    assert "already paid" in items["record_payment"].reason
