"""The side panel with an action shaped like the QuickBooks ones (ledger_actions.py): unavailable
actions listed greyed out with the reason, choices computed from the connected ledgers, the
payment terms drawn again for the chosen company, and a ledger that is down said in words on
the field, the card, the review and the refused publish — never a server error."""

import html
import re

import pytest

from faktura.workflows import services
from faktura.workflows.tests.conftest import where
from faktura.workflows.tests.ledger_actions import ASKED, LEDGERS, ledger_step

pytestmark = pytest.mark.django_db

WON = where("dealstage", "any_of", "closedwon")
DOWN = "Could not read the payment terms from Offline Corp: the connection timed out; try again."
NOT_IN_THE_US = (
    "“Create a ledger invoice (tests)” is not available: Ledger actions are offered only to "
    "accounts whose company is in the United States; this account's company country is NO "
    "(Settings)."
)


@pytest.fixture
def admin_client(signed_in, admin_user):
    return signed_in(admin_user)


@pytest.fixture
def draft(admin):
    return services.create_workflow(
        actor=admin,
        name="Invoices in the ledger",
        object_type="deal",
        definition={"triggers": {"filters": WON, "events": []}, "steps": []},
    )


def with_steps(draft, admin, *steps):
    services.update_workflow(draft, actor=admin, definition={**draft.draft, "steps": list(steps)})


def select_of(content: str, name: str) -> str:
    """The options of select `name` in the page, as HTML."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', content, re.S)
    assert select, f"no select {name}"
    return select[1]


def options_of(content: str, name: str) -> list[str]:
    """The labels of the options of select `name` in the page."""
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select_of(content, name))
    return [html.unescape(o) for o in options]


def text_of_html(content: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def text_of(response) -> str:
    return text_of_html(response.content.decode())


NEW = "/workflows/{pk}/steps/new/?where=&index=0&type=tests.ledger_invoice"


# SPEC WF-1
def test_an_unavailable_action_is_listed_greyed_out_with_the_reason(admin_client, draft, account):
    types = f"/workflows/{draft.pk}/steps/new/?where=&index=0"
    offered = admin_client.get(types).content.decode()
    assert 'hx-target="#step-panel-content" data-step-type="tests.ledger_invoice"' in offered

    account(company_country="NO")
    listed = admin_client.get(types).content.decode()

    item = re.search(r'<div class="list-group-item disabled"[^>]*data-step-type="tests.ledger_'
                     r'invoice">(.*?)</div>\s*</div>', listed, re.S)  # fmt: skip
    assert item
    assert (
        "Not available: Ledger actions are offered only to accounts whose company is in the "
        "United States; this account's company country is NO (Settings)." in text_of_html(item[1])
    )
    assert 'type=tests.ledger_invoice"' not in listed  # nothing to click
    form = admin_client.get(NEW.format(pk=draft.pk))
    assert NOT_IN_THE_US in html.unescape(form.content.decode())
    assert re.search(r'<button type="submit" class="btn btn-primary" disabled>', form.text)
    refused = admin_client.post(NEW.format(pk=draft.pk), {"cfg-company": "acme"})
    assert NOT_IN_THE_US in html.unescape(refused.content.decode())
    draft.refresh_from_db()
    assert draft.draft["steps"] == []


# SPEC WF-1
def test_computed_choices_are_offered_and_the_terms_follow_the_company(admin_client, draft):
    url = NEW.format(pk=draft.pk)

    form = admin_client.get(url).content.decode()

    assert options_of(form, "cfg-company") == ["Choose…", "Acme Inc.", "Globex LLC", "Offline Corp"]
    assert options_of(form, "cfg-terms") == ["Choose…"]  # no company yet
    company = re.search(r'<div class="mb-3" id="field-cfg-company"[^>]*>', form)
    assert company
    assert 'hx-select-oob="#field-cfg-terms"' in company[0]
    assert 'hx-trigger="change"' in company[0]

    drawn = admin_client.post(
        url, {"cfg-company": "globex", "redraw": "fields"}, headers={"HX-Request": "true"}
    )

    assert drawn.status_code == 200
    assert options_of(drawn.text, "cfg-terms") == ["Choose…", "Due on receipt"]
    # Another company's terms are not carried over: the terms start empty again.
    switched = admin_client.post(url, {"cfg-company": "globex", "cfg-terms": "net30",
                                       "redraw": "fields"})  # fmt: skip
    assert options_of(switched.text, "cfg-terms") == ["Choose…", "Due on receipt"]
    assert "selected" not in select_of(switched.text, "cfg-terms")
    # The provider read the form as it stands: the company just chosen.
    assert ("terms", {"company": "globex", "terms": "", "create_missing": False}) in ASKED
    draft.refresh_from_db()
    assert draft.draft["steps"] == []  # drawn again, not saved

    admin_client.post(url, {"cfg-company": "globex", "cfg-terms": "receipt", "cfg-lines":
                            ["custom"], "cfg-create_missing": "yes"})  # fmt: skip
    draft.refresh_from_db()
    assert draft.draft["steps"][0]["config"] == {
        "company": "globex",
        "terms": "receipt",
        "lines": ["custom"],
        "create_missing": True,
    }
    page = text_of(admin_client.get(f"/workflows/{draft.pk}/"))
    assert (
        "Ledger company: Globex LLC Payment terms: Due on receipt Line items: Custom lines "
        "Create missing products: Yes"
    ) in page


# SPEC WF-1 WF-3
def test_a_ledger_that_is_down_is_said_on_the_field_the_card_and_at_publish(
    admin_client, admin, draft
):
    url = NEW.format(pk=draft.pk)

    drawn = admin_client.post(url, {"cfg-company": "offline", "redraw": "fields"})
    assert drawn.status_code == 200
    assert DOWN in html.unescape(drawn.text)
    refused = admin_client.post(
        url, {"cfg-company": "offline", "cfg-terms": "net30"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 200
    assert f"Payment terms: {DOWN}" in html.unescape(refused.text)

    # Saved while the ledger answered, then it went down.
    with_steps(draft, admin, ledger_step(company="offline", terms="net30"))
    page = admin_client.get(f"/workflows/{draft.pk}/")
    assert page.status_code == 200
    assert DOWN in html.unescape(page.text)
    review = admin_client.get(f"/workflows/{draft.pk}/publish/")
    assert DOWN in html.unescape(review.text)
    publish = admin_client.post(f"/workflows/{draft.pk}/publish/")
    assert publish.status_code == 400
    assert DOWN in html.unescape(publish.text)
    draft.refresh_from_db()
    assert draft.published is None


# SPEC WF-1
def test_a_saved_choice_no_longer_offered_stays_listed_and_is_a_problem(admin_client, admin, draft):
    with_steps(draft, admin, ledger_step(company="acme", terms="net30"))
    del LEDGERS["acme"]

    panel = admin_client.get(f"/workflows/{draft.pk}/steps/s1/").text

    assert options_of(panel, "cfg-company") == [
        "Choose…", "Globex LLC", "Offline Corp", "acme (not offered now)"
    ]  # fmt: skip
    assert '<option value="acme" selected>' in panel
    page = html.unescape(admin_client.get(f"/workflows/{draft.pk}/").text)
    assert "Ledger company: “acme” is not among the choices offered now" in page


# SPEC WF-3
def test_a_draft_with_an_action_that_became_unavailable_shows_why(
    admin_client, admin, draft, account
):
    with_steps(draft, admin, ledger_step())
    account(company_country="NO")
    ASKED.clear()

    page = admin_client.get(f"/workflows/{draft.pk}/")
    panel = admin_client.get(f"/workflows/{draft.pk}/steps/s1/")
    review = admin_client.get(f"/workflows/{draft.pk}/publish/")

    assert NOT_IN_THE_US in html.unescape(page.text)
    assert "Ledger company: acme" in text_of(page)  # its stored value: the ledger is not asked
    assert 'data-testid="step-unavailable"' in panel.text
    assert NOT_IN_THE_US in html.unescape(panel.text)
    assert 'value="acme" selected' in panel.text  # still there, to remove or keep
    assert NOT_IN_THE_US in html.unescape(review.text)
    assert ASKED == []


def test_the_editor_page_asks_each_computed_choice_once(admin_client, admin, draft):
    # The cards and the page's publish problems share one field context per step: for the
    # QuickBooks actions, each ask is a call to QuickBooks.
    with_steps(draft, admin, ledger_step(company="acme", terms="net30"))
    ASKED.clear()
    assert admin_client.get(f"/workflows/{draft.pk}/").status_code == 200
    assert [name for name, _ in ASKED] == ["company", "terms"]
