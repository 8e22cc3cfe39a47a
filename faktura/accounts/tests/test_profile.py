"""Your profile: a person's own name, email and number and date format (DOC-4); the pages they
read follow it, and nobody changes another person's profile there."""

import pytest

from faktura.accounts.services import update_profile
from faktura.core.errors import RuleViolation

pytestmark = pytest.mark.django_db


def profile_post(**values: str) -> dict[str, str]:
    return {"first_name": "Kari", "last_name": "Nordmann", "email": "kari@example.no"} | values


# SPEC DOC-4
def test_a_user_chooses_their_number_format_and_the_pages_follow_it(
    signed_in, viewer_user, make_invoice
):
    make_invoice(finalized=True, lines=[{"name": "Lykt", "unit_price": "1000.50"}])
    client = signed_in(viewer_user)  # view-only users have a profile too
    page = client.get("/account/profile/").content.decode()
    assert "Number and date format" in page
    same = "Same as the account: English (United States) · 1,234.50"
    assert f'<option value="" selected>{same}' in page
    assert "Norwegian Bokmål (Norway) · 1 234,50" in page
    assert "1,000.50 USD" in client.get("/invoices/").content.decode()

    answer = client.post("/account/profile/", profile_post(locale="nb-NO"))

    assert answer.status_code == 302
    viewer_user.refresh_from_db()
    assert (viewer_user.locale, viewer_user.full_name, viewer_user.email) == (
        "nb-NO",
        "Kari Nordmann",
        "kari@example.no",
    )
    assert "1\xa0000,50 USD" in client.get("/invoices/").content.decode()

    client.post("/account/profile/", profile_post(locale=""))
    viewer_user.refresh_from_db()
    assert viewer_user.locale == ""  # the account's again


def test_a_locale_not_offered_is_refused_beside_the_form(signed_in, editor_user):
    answer = signed_in(editor_user).post("/account/profile/", profile_post(locale="xx-YY"))
    assert answer.status_code == 200
    assert "Select a valid choice" in answer.content.decode()
    editor_user.refresh_from_db()
    assert editor_user.locale == ""


def test_nobody_changes_another_persons_profile(editor, admin_user):
    with pytest.raises(RuleViolation, match="Only the person a profile belongs to"):
        update_profile(admin_user, actor=editor, locale="nb-NO")
    admin_user.refresh_from_db()
    assert admin_user.locale == ""


@pytest.mark.parametrize(
    ("values", "phrase"),
    [
        ({"email": "kari@"}, "'kari@' is not an email address"),
        ({"first_name": "K" * 151}, "at most 150 characters"),
        ({"locale": "klingon"}, "Unknown invoice locale"),
        ({"role": "super_admin"}, "Unknown profile fields: role"),
    ],
)
def test_the_service_refuses_what_a_profile_cannot_hold(editor, editor_user, values, phrase):
    with pytest.raises(RuleViolation, match=phrase):
        update_profile(editor_user, actor=editor, **values)
    editor_user.refresh_from_db()
    assert (editor_user.role, editor_user.locale) == ("editor", "")


def test_the_navigation_bar_links_to_your_profile(signed_in, editor_user):
    page = signed_in(editor_user).get("/contacts/").content.decode()
    assert 'href="/account/profile/" title="Your profile" data-testid="signed-in-as"' in page
