import pytest

from faktura.accounts.models import AccountSettings, Role
from faktura.accounts.permissions import can_edit_invoices, can_manage_settings
from faktura.accounts.services import get_account_settings, update_account_settings
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.invoices.issued import reissued_differences


def test_settings_are_one_row_with_safe_defaults_when_new(db):
    settings = get_account_settings()
    assert AccountSettings.objects.count() == 1
    assert settings.allow_editing_finalized_invoices is False  # SPEC INV-6: off by default
    assert settings.allow_deleting_invoices is False  # SPEC INV-21: off by default
    assert settings.default_currency == "USD"


def test_super_admin_changes_settings_when_values_are_valid(admin):
    update_account_settings(
        actor=admin,
        allow_editing_finalized_invoices=True,
        invoice_number_prefix="NO-2026-",
        invoice_public_domain="https://billing.example.com/",
        company_country="no",
        default_currency="nok",
    )
    settings = get_account_settings()
    assert settings.allow_editing_finalized_invoices is True
    assert settings.invoice_number_prefix == "NO-2026-"
    assert settings.invoice_public_domain == "https://billing.example.com"
    assert (settings.company_country, settings.default_currency) == ("NO", "NOK")


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_settings_refused_when_user_is_not_super_admin(request, who):  # SPEC INV-6
    actor = request.getfixturevalue(who)
    with pytest.raises(RuleViolation, match="Only a super admin") as refused:
        update_account_settings(actor=actor, allow_deleting_invoices=True)
    assert refused.value.code == "permission_denied"
    assert get_account_settings().allow_deleting_invoices is False


@pytest.mark.parametrize(
    ("field", "value", "phrase"),
    [
        ("default_currency", "EURO", "not a supported currency"),
        ("company_country", "Norway", "two-letter ISO code"),
        ("invoice_public_domain", "billing.example.com", "base URL"),
        ("invoice_public_domain", "https://example.com/invoices", "base URL"),
        ("invoice_number_prefix", "INV #", "prefix may hold"),
        ("default_payment_terms", "net_7", "Unknown payment terms"),
        ("allow_deleting_invoices", "yes", "true or false"),
        ("colour", "blue", "Unknown account settings"),
    ],
)
def test_settings_refused_when_value_is_invalid(admin, field, value, phrase):
    before = get_account_settings()
    with pytest.raises(RuleViolation, match=phrase):
        update_account_settings(actor=admin, **{field: value})
    after = get_account_settings()
    assert [getattr(after, f.attname) for f in after._meta.fields if f.name != "updated_at"] == [
        getattr(before, f.attname) for f in before._meta.fields if f.name != "updated_at"
    ]


def test_roles_decide_invoice_edit_permission_when_user_acts(
    admin, editor, viewer, admin_user
):  # SPEC INV-6 SPEC INV-21
    assert can_edit_invoices(admin).ok
    assert can_edit_invoices(editor).ok
    refused = can_edit_invoices(viewer)
    assert not refused.ok
    assert "view-only" in refused.reason
    assert admin_user.role == Role.SUPER_ADMIN
    assert can_manage_settings(admin).ok
    assert not can_manage_settings(editor).ok


def test_non_user_actors_act_for_the_account_when_workflow_or_system(db):
    for actor in (Actor.system(), Actor.workflow("Welcome"), Actor.integration("QuickBooks")):
        assert can_edit_invoices(actor).ok


# SPEC DOC-4
def test_a_user_reads_amounts_in_their_own_locale_else_the_accounts(db, account, admin_user):
    from faktura.accounts.services import user_locale

    account(invoice_locale="nb-NO")
    assert user_locale(admin_user) == "nb-NO"
    assert user_locale(None) == "nb-NO"
    admin_user.locale = "fi-FI"
    assert user_locale(admin_user) == "fi-FI"


# SPEC DOC-1
def test_settings_saved_from_the_page_keep_line_breaks_as_stored(
    signed_in, admin_user, account, make_invoice
):
    account(company_address="100 Market Street\nSan Francisco")
    issued = make_invoice(finalized=True)
    client = signed_in(admin_user)
    page = client.get("/settings/").content.decode()
    assert "100 Market Street\nSan Francisco" in page
    form = {
        "company_name": "My Company",
        "company_address": "100 Market Street\r\nSan Francisco",  # as browsers send a textarea
        "company_country": "US",
        "invoice_locale": "en-US",
        "invoice_number_prefix": "INV-",
        "default_currency": "USD",
        "default_payment_terms": "net_30",
    }
    assert client.post("/settings/", form).status_code == 302
    assert reissued_differences(issued) == []  # nothing the issued invoice printed changed
