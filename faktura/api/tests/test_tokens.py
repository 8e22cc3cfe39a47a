"""API tokens: super admins create them (secret shown once, only its hash kept) and revoke them;
requests authenticate with `Authorization: Bearer`; scopes refuse calls with HubSpot's body."""

import datetime as dt
import hashlib
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import RequestFactory

from faktura.accounts.models import Role, User
from faktura.api import tokens
from faktura.api.auth import Caller, authenticate_request, require_scopes
from faktura.api.errors import ApiError
from faktura.api.models import ApiToken
from faktura.api.scopes import ALL_SCOPES, SCOPE_NAMES, scopes_for
from faktura.core.actors import ActorKind
from faktura.core.errors import RuleViolation
from faktura.team.services import deactivate_user

pytestmark = pytest.mark.django_db

INVOICES = ["crm.objects.invoices.read", "crm.objects.invoices.write"]


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def request(headers: dict[str, str]) -> HttpRequest:
    return RequestFactory().get("/crm/v3/objects/invoices", headers=headers)


def refusal(headers: dict[str, str]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        authenticate_request(request(headers))
    return caught.value


# --- scopes ---------------------------------------------------------------------------------


def test_scopes_are_named_as_hubspot_names_them():
    assert scopes_for("invoices", write=False) == ("crm.objects.invoices.read",)
    assert scopes_for("invoices", write=True) == ("crm.objects.invoices.write",)
    assert scopes_for("line_items", write=True) == ("crm.objects.line_items.write",)
    assert scopes_for("commerce_payments", write=False) == ("crm.objects.commercepayments.read",)
    assert scopes_for("products", write=False) == scopes_for("products", write=True)
    assert scopes_for("products", write=True) == ("e-commerce",)
    assert len(ALL_SCOPES) == 16  # 7 object types x read/write, e-commerce, faktura.workflows
    assert all(label for _, label in ALL_SCOPES)
    with pytest.raises(KeyError):
        scopes_for("tickets", write=False)


# --- create ---------------------------------------------------------------------------------


def test_a_super_admin_creates_a_token_whose_secret_is_kept_only_as_a_hash(admin, admin_user):
    token, raw = tokens.create_token(actor=admin, name="  Accounting   sync ", scopes=INVOICES)
    assert re.fullmatch(r"fk_[A-Za-z0-9_-]{40,}", raw)
    token.refresh_from_db()
    assert token.name == "Accounting sync"
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert raw.startswith(token.prefix)
    assert len(token.prefix) < 12
    assert token.masked == f"{token.prefix}…"
    assert token.scopes == INVOICES
    assert token.created_by == admin_user
    assert token.last_used_at is None
    assert token.revoked_at is None


def test_scopes_are_stored_once_each_in_catalogue_order(system):
    contacts, invoices = "crm.objects.contacts.read", "crm.objects.invoices.write"
    token, _ = tokens.create_token(actor=system, name="Sync", scopes=[invoices, contacts, contacts])
    assert token.scopes == ["crm.objects.contacts.read", "crm.objects.invoices.write"]
    assert token.created_by is None


@pytest.mark.parametrize(
    ("name", "scopes", "reason"),
    [
        ("Sync", ["crm.objects.tickets.read"], "Unknown scope: crm.objects.tickets.read. Choose"),
        ("Sync", [], "Choose at least one scope"),
        ("Sync", ["  "], "Choose at least one scope"),
        ("   ", INVOICES, "Give the token a name"),
        ("x" * 101, INVOICES, "100 characters or fewer"),
    ],
)  # fmt: skip
def test_create_token_refuses_bad_input_with_a_reason(system, name, scopes, reason):
    with pytest.raises(RuleViolation, match=reason):
        tokens.create_token(actor=system, name=name, scopes=scopes)
    assert not ApiToken.objects.exists()


def test_an_active_name_is_used_once_and_freed_by_revoking(system):
    first, _ = tokens.create_token(actor=system, name="Sync", scopes=INVOICES)
    with pytest.raises(RuleViolation, match="already named “SYNC”. Choose another name"):
        tokens.create_token(actor=system, name="SYNC", scopes=INVOICES)
    tokens.revoke_token(first, actor=system)
    second, _ = tokens.create_token(actor=system, name="Sync", scopes=INVOICES)
    assert second.pk != first.pk


def test_only_super_admins_and_the_system_manage_tokens(editor, viewer, system):
    for actor in (editor, viewer):
        with pytest.raises(RuleViolation, match="Only a super admin"):
            tokens.create_token(actor=actor, name="Sync", scopes=INVOICES)
    token, _ = tokens.create_token(actor=system, name="Sync", scopes=INVOICES)
    with pytest.raises(RuleViolation, match="Only a super admin"):
        tokens.revoke_token(token, actor=editor)


# --- authenticate ---------------------------------------------------------------------------


def test_authenticate_finds_active_tokens_only(system):
    token, raw = tokens.create_token(actor=system, name="Sync", scopes=INVOICES)
    assert tokens.authenticate(raw) == token
    assert tokens.authenticate(raw + "x") is None
    assert tokens.authenticate("fk_" + "a" * 43) is None
    assert tokens.authenticate("pat-na1-123") is None
    assert tokens.authenticate("") is None
    tokens.revoke_token(token, actor=system)
    assert tokens.authenticate(raw) is None
    with pytest.raises(RuleViolation, match="revoked already"):
        tokens.revoke_token(token, actor=system)


def test_last_used_is_written_at_most_once_a_minute(system, django_assert_num_queries):
    token, raw = tokens.create_token(actor=system, name="Sync", scopes=INVOICES)
    with django_assert_num_queries(2):  # the lookup, and noting the first use
        tokens.authenticate(raw)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    with django_assert_num_queries(1):  # the lookup only
        tokens.authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - dt.timedelta(minutes=2))
    tokens.authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at > first_use


# --- requests -------------------------------------------------------------------------------


def test_a_request_with_a_valid_token_is_a_caller_acting_as_the_creator(admin, admin_user):
    token, raw = tokens.create_token(actor=admin, name="Sync", scopes=INVOICES)
    caller = authenticate_request(request(bearer(raw)))
    assert caller == Caller(token=token, actor=caller.actor, scopes=frozenset(INVOICES))
    assert caller.actor.kind == ActorKind.API
    assert caller.actor.user == admin_user
    assert caller.actor.label == "API token Sync"
    # HubSpot's clients send "Bearer"; the scheme is case-insensitive.
    assert authenticate_request(request({"Authorization": f"bearer {raw}"})).token == token


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "Authentication credentials not found."),
        ({"Authorization": "Basic YWRtaW46cHc="}, "The Authorization header is malformed"),
        ({"Authorization": "Bearer"}, "The Authorization header is malformed"),
        (bearer("fk_not-a-token"), "The access token is not valid"),
    ],
)
def test_requests_without_a_usable_token_get_hubspots_401(db, headers, reason):
    error = refusal(headers)
    assert error.status == 401
    body = error.body()
    assert body["status"] == "error"
    assert body["category"] == "INVALID_AUTHENTICATION"
    assert body["message"].startswith(reason)
    assert "Settings → API tokens" in body["message"]
    assert "python manage.py create_api_token" in body["message"]
    assert body["correlationId"]


def test_a_revoked_token_gets_401_saying_it_was_revoked(system):
    token, raw = tokens.create_token(actor=system, name="Old sync", scopes=INVOICES)
    tokens.revoke_token(token, actor=system)
    error = refusal(bearer(raw))
    assert error.status == 401
    assert error.category == "INVALID_AUTHENTICATION"
    assert "“Old sync” was revoked on" in error.message


def test_a_deactivated_users_token_gets_401_saying_so(admin, admin_user, system):
    _, raw = tokens.create_token(actor=admin, name="Sync", scopes=INVOICES)
    authenticate_request(request(bearer(raw)))
    User.objects.create_user("boss", password="pw", role=Role.SUPER_ADMIN)  # one must stay
    deactivate_user(admin_user, actor=system)
    error = refusal(bearer(raw))
    assert error.status == 401
    assert "belongs to admin, whose user is deactivated" in error.message


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(system, settings):
    settings.FAKTURA_API_RATE_LIMIT = "2/60"
    _, raw = tokens.create_token(actor=system, name="Sync", scopes=INVOICES)
    authenticate_request(request(bearer(raw)))
    authenticate_request(request(bearer(raw)))
    error = refusal(bearer(raw))
    assert error.status == 429
    assert error.category == "RATE_LIMITS"
    seconds = int(error.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert f"Wait {seconds} second" in error.message
    response = error.response()
    assert response.status_code == 429
    assert response["Retry-After"] == str(seconds)


def test_require_scopes_refuses_with_hubspots_missing_scopes_body(system):
    _, raw = tokens.create_token(actor=system, name="Reader", scopes=["crm.objects.invoices.read"])
    caller = authenticate_request(request(bearer(raw)))
    require_scopes(caller, scopes_for("invoices", write=False))
    require_scopes(caller, [])
    with pytest.raises(ApiError) as caught:
        require_scopes(caller, ["crm.objects.invoices.read", *scopes_for("invoices", write=True)])
    error = caught.value
    assert error.status == 403
    body = error.body()
    assert body["category"] == "MISSING_SCOPES"
    assert body["message"].startswith(
        "This app hasn't been granted all required scopes to make this call."
    )
    assert "crm.objects.invoices.write" in body["message"]
    assert body["errors"] == [
        {
            "message": "All of the following scopes are required.",
            "context": {"requiredGranularScopes": ["crm.objects.invoices.write"]},
        }
    ]


# --- the command ----------------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_token_alone_on_stdout(db):
    out, err = run_command("Accounting sync", "--scopes", *INVOICES)
    raw = out.strip()
    assert out == raw + "\n"
    token = tokens.authenticate(raw)
    assert token is not None
    assert token.name == "Accounting sync"
    assert token.scopes == INVOICES
    assert token.created_by is None
    assert raw not in err
    assert "crm.objects.invoices.write" in err
    assert "not shown again" in err


def test_the_command_grants_all_scopes_or_comma_separated_ones(db, admin_user):
    out, _ = run_command("Everything", "--scopes", "all")
    assert set(tokens.authenticate(out.strip()).scopes) == SCOPE_NAMES  # type: ignore[union-attr]
    out, _ = run_command("Two", "--scopes", "e-commerce,crm.objects.deals.read", "--user", "admin")
    token = tokens.authenticate(out.strip())
    assert token is not None
    assert token.scopes == ["crm.objects.deals.read", "e-commerce"]
    assert token.created_by == admin_user


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["Sync", "--scopes", "crm.objects.tickets.read"], "Unknown scope"),
        (["Sync", "--scopes", ","], "Choose at least one scope"),
        (["Sync", "--scopes", "all", "--user", "nobody"], "No user is named 'nobody'"),
        (["Sync", "--scopes", "all", "--user", "editor"], "Only a super admin"),
    ],
)
def test_the_command_stops_with_the_reason_on_bad_input(db, editor_user, args, reason):
    with pytest.raises(CommandError, match=reason):
        run_command(*args)
    assert not ApiToken.objects.exists()


def test_the_command_refuses_a_missing_scopes_option(db):
    with pytest.raises(CommandError, match="--scopes"):
        run_command("Sync")


# --- the settings page ----------------------------------------------------------------------


def test_super_admin_creates_a_token_and_sees_its_secret_once(signed_in, admin_user):
    client = signed_in(admin_user)
    assert "/settings/api-tokens/" in client.get("/settings/").content.decode()
    page = client.get("/settings/api-tokens/")
    assert page.status_code == 200
    assert "No API token yet." in page.content.decode()
    answer = client.post(
        "/settings/api-tokens/",
        {"name": "Accounting sync", "scopes": ["crm.objects.invoices.read", "e-commerce"]},
    )
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    raw = answer.context["new_secret"]
    assert tokens.authenticate(raw) == token
    html = answer.content.decode()
    assert f'value="{raw}"' in html
    assert "shown only once" in html
    assert 'data-copy-text="#new-token"' in html
    assert token.scopes == ["e-commerce", "crm.objects.invoices.read"]  # catalogue order
    assert token.created_by == admin_user
    later = client.get("/settings/api-tokens/").content.decode()
    assert raw not in later
    assert "Accounting sync" in later
    assert f"{token.prefix}…" in later


def test_the_page_shows_why_a_token_was_not_created(signed_in, admin_user):
    answer = signed_in(admin_user).post("/settings/api-tokens/", {"name": "Sync"})
    assert answer.status_code == 400
    assert "Choose at least one scope" in answer.content.decode()
    assert not ApiToken.objects.exists()


def test_super_admin_revokes_a_token_after_confirming(signed_in, admin_user, admin):
    token, raw = tokens.create_token(actor=admin, name="Sync", scopes=INVOICES)
    client = signed_in(admin_user)
    url = f"/settings/api-tokens/{token.pk}/revoke/"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.content.decode()
    assert tokens.authenticate(raw) == token  # asking is not revoking
    answer = client.post(url)
    assert answer.status_code == 302
    assert answer["Location"] == "/settings/api-tokens/"
    assert tokens.authenticate(raw) is None
    page = client.get("/settings/api-tokens/").content.decode()
    assert "is revoked" in page
    assert "Revoked" in page
    again = client.post(url)
    assert again.status_code == 400
    assert "revoked already" in again.content.decode()


def test_only_super_admins_see_the_tokens_page(signed_in, editor_user, viewer_user, system):
    token, _ = tokens.create_token(actor=system, name="Sync", scopes=INVOICES)
    for user in (editor_user, viewer_user):
        client = signed_in(user)
        assert client.get("/settings/api-tokens/").status_code == 403
        create = {"name": "Mine", "scopes": INVOICES}
        assert client.post("/settings/api-tokens/", create).status_code == 403
        assert client.post(f"/settings/api-tokens/{token.pk}/revoke/").status_code == 403
    assert list(ApiToken.objects.values_list("name", "revoked_at")) == [("Sync", None)]
