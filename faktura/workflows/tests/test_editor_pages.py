"""The Workflows pages through Django's test client: list, create, triggers, steps in the side
panel (actions, delays, branches), review and publish, turn on and off, export and import."""

import json
import re

import pytest

from faktura.sales.models import Deal
from faktura.workflows import services
from faktura.workflows.models import Enrollment, Workflow
from faktura.workflows.tests.conftest import remember, where

pytestmark = pytest.mark.django_db

WEBHOOK = {"url": "https://hooks.example.com/won", "secret": "s3cret-value-123"}


@pytest.fixture
def admin_client(signed_in, admin_user):
    return signed_in(admin_user)


@pytest.fixture
def draft(admin):
    return services.create_workflow(actor=admin, name="Won deals", object_type="deal")


def _draft(workflow):
    workflow.refresh_from_db()
    return workflow.draft


# SPEC WF-1
def test_only_super_admins_see_and_open_workflows(signed_in, editor_user, admin_user, draft):
    client = signed_in(editor_user)
    assert client.get("/workflows/").status_code == 403
    assert client.get(f"/workflows/{draft.pk}/").status_code == 403
    assert b"/workflows/" not in client.get("/deals/").content
    client = signed_in(admin_user)
    page = client.get("/workflows/")
    assert page.status_code == 200
    assert b"Won deals" in page.content
    assert b'href="/workflows/"' in page.content


# SPEC WF-1
def test_create_a_workflow_for_an_object_type(admin_client):
    refused = admin_client.post("/workflows/new/", {"name": " ", "object_type": "deal"})
    assert refused.status_code == 400
    assert b"Give the workflow a name" in refused.content
    assert not Workflow.objects.exists()
    made = admin_client.post("/workflows/new/", {"name": "Chase quotes", "object_type": "quote"})
    workflow = Workflow.objects.get()
    assert made.status_code == 302
    assert made["Location"] == f"/workflows/{workflow.pk}/"
    assert (workflow.name, workflow.object_type, workflow.enabled) == (
        "Chase quotes",
        "quote",
        False,
    )
    page = admin_client.get(made["Location"])
    assert b"Add a step" in page.content
    assert b"Add an enrollment trigger" in page.content


# SPEC WF-2
def test_triggers_are_saved_from_filter_rows_and_event_rows(admin_client, draft):
    form = {
        "f-a1-group": "g1", "f-a1-prop": "dealstage", "f-a1-op": "any_of",
        "f-a1-value": ["closedwon"],
        "f-a2-group": "g1", "f-a2-prop": "hs_object_id", "f-a2-op": "gt", "f-a2-value": "1000",
        "f-b1-group": "g2", "f-b1-prop": "dealname", "f-b1-op": "contains", "f-b1-value": "Big",
        "ev": ["e1", "e2"], "ev-e1-event": "property_changed", "ev-e1-property": "dealstage",
        "ev-e1-to": "closedwon", "ev-e2-event": "",
        "re_enroll": "1", "re_enroll_properties": ["dealstage"],
    }  # fmt: skip
    answer = admin_client.post(f"/workflows/{draft.pk}/triggers/", form)
    assert answer.status_code == 302
    triggers = _draft(draft)["triggers"]
    assert triggers["filters"] == [
        [{"property": "dealstage", "operator": "any_of", "values": ["closedwon"]},
         {"property": "hs_object_id", "operator": "gt", "values": ["1000"]}],
        [{"property": "dealname", "operator": "contains", "values": ["Big"]}],
    ]  # fmt: skip
    assert triggers["events"] == [
        {"event": "property_changed", "property": "dealstage", "to": "closedwon"}
    ]
    assert _draft(draft)["re_enrollment"] == {"enabled": True, "properties": ["dealstage"]}
    page = admin_client.get(f"/workflows/{draft.pk}/").content.decode()
    assert "Deal stage changed to Closed won" in page
    assert (
        "(Deal stage is any of Closed won <strong>and</strong> Record ID is greater than 1000)"
        in page
    )
    assert "Re-enrollment: on, when Deal stage changes" in page


# SPEC WF-2
def test_bad_triggers_are_refused_with_the_reason_and_the_draft_is_kept(admin_client, draft):
    before = _draft(draft)
    form = {"f-a1-group": "g1", "f-a1-prop": "hs_object_id", "f-a1-op": "gt", "f-a1-value": "lots"}
    answer = admin_client.post(f"/workflows/{draft.pk}/triggers/", form)
    assert answer.status_code == 400
    assert "lots" in answer.content.decode()
    assert "number" in answer.content.decode()
    assert _draft(draft) == before
    empty = admin_client.post(f"/workflows/{draft.pk}/triggers/", {"ev": ["e1"]})
    assert empty.status_code == 400
    assert b"Add an enrollment trigger" in empty.content


# SPEC WF-2
def test_a_new_trigger_form_has_no_half_made_filter_row_so_events_alone_save(admin_client, draft):
    page = admin_client.get(f"/workflows/{draft.pk}/").content.decode()
    form = page[page.index('aria-label="Enrollment triggers"') :]
    assert "Add filter" in form
    assert not re.search(r'name="f-[^"]+-prop"', form)
    events = {"ev": ["e1"], "ev-e1-event": "created"}
    assert admin_client.post(f"/workflows/{draft.pk}/triggers/", events).status_code == 302
    assert _draft(draft)["triggers"]["events"] == [{"event": "created"}]


# SPEC WF-1
def test_the_plus_button_offers_types_then_adds_the_configured_action_there(admin_client, draft):
    types = admin_client.get(f"/workflows/{draft.pk}/steps/new/?where=&index=0").content.decode()
    for label in ("Delay", "If/then branch", "Set a property", "Send a webhook"):
        assert label in types
    url = f"/workflows/{draft.pk}/steps/new/?where=&index=0&type=tests.remember"
    form = admin_client.get(url).content.decode()
    assert 'name="cfg-label"' in form
    refused = admin_client.post(url, {"cfg-label": ""}, headers={"HX-Request": "true"})
    assert refused.status_code == 200
    assert b"Label is required" in refused.content
    assert _draft(draft)["steps"] == []
    added = admin_client.post(url, {"cfg-label": "first"}, headers={"HX-Request": "true"})
    assert added.status_code == 204
    assert added["HX-Refresh"] == "true"
    admin_client.post(url, {"cfg-label": "before it"})
    steps = _draft(draft)["steps"]
    assert [(s["id"], s["config"]["label"]) for s in steps] == [
        ("s2", "before it"),
        ("s1", "first"),
    ]


# SPEC WF-1
def test_a_delay_is_configured_in_hours_and_shown_in_words(admin_client, draft):
    url = f"/workflows/{draft.pk}/steps/new/?where=&index=0&type=delay"
    admin_client.post(url, {"delay-kind": "duration", "delay-amount": "3", "delay-unit": "hours"})
    assert _draft(draft)["steps"][0]["config"] == {"kind": "duration", "minutes": 180}
    assert b"Wait 3 hours" in admin_client.get(f"/workflows/{draft.pk}/").content
    refused = admin_client.post(f"/workflows/{draft.pk}/steps/s1/", {"delay-kind": "until_weekday"})
    assert refused.status_code == 400
    assert b"needs days" in refused.content
    admin_client.post(
        f"/workflows/{draft.pk}/steps/s1/",
        {"delay-kind": "until_weekday", "delay-weekday": ["4", "0"], "delay-time": "08:30"},
    )
    config = _draft(draft)["steps"][0]["config"]
    assert config == {"kind": "until_weekday", "weekdays": [0, 4], "time": "08:30"}


# SPEC WF-1
def test_branches_get_criteria_and_steps_of_their_own(admin_client, draft):
    url = f"/workflows/{draft.pk}/steps/new/?where=&index=0&type=branch"
    first = admin_client.get(url).content.decode()
    assert 'name="br-0-label"' in first
    two = admin_client.post(url, {"br-0-label": "Big", "br-0-origin": "", "redraw": "add"})
    assert 'name="br-1-label"' in two.content.decode()
    assert not _draft(draft)["steps"]
    form = {
        "br-0-label": "Big", "br-0-origin": "",
        "f-br0xaar0-group": "br0xaa", "f-br0xaar0-prop": "dealname", "f-br0xaar0-op": "contains",
        "f-br0xaar0-value": "Big",
        "br-1-label": "Won", "br-1-origin": "",
        "f-br1xbbr0-group": "br1xbb", "f-br1xbbr0-prop": "dealstage", "f-br1xbbr0-op": "any_of",
        "f-br1xbbr0-value": ["closedwon"],
    }  # fmt: skip
    admin_client.post(url, form)
    (branch,) = _draft(draft)["steps"]
    assert [(b["label"], b["filters"]) for b in branch["branches"]] == [
        ("Big", where("dealname", "contains", "Big")),
        ("Won", where("dealstage", "any_of", "closedwon")),
    ]
    # A step inside the second branch and one on the otherwise path.
    inside = f"/workflows/{draft.pk}/steps/new/?where=s1:1&index=0&type=tests.remember"
    admin_client.post(inside, {"cfg-label": "won"})
    admin_client.post(inside.replace("s1:1", "s1:else"), {"cfg-label": "neither"})
    branch = _draft(draft)["steps"][0]
    assert branch["branches"][1]["steps"][0]["config"] == {"label": "won"}
    assert branch["otherwise"][0]["config"] == {"label": "neither"}
    # Removing the first branch keeps the second's steps with it.
    edit = f"/workflows/{draft.pk}/steps/s1/"
    drawn = admin_client.post(edit, {**form, "br-0-origin": "0", "br-1-origin": "1",
                                     "redraw": "remove:0"}).content.decode()  # fmt: skip
    assert 'value="Won"' in drawn
    assert 'value="Big"' not in drawn
    kept = {k: v for k, v in form.items() if not k.startswith(("br-0", "f-br0"))}
    admin_client.post(edit, {**kept, "br-1-origin": "1"})
    branch = _draft(draft)["steps"][0]
    assert [b["label"] for b in branch["branches"]] == ["Won"]
    assert branch["branches"][0]["steps"][0]["config"] == {"label": "won"}
    assert branch["otherwise"][0]["config"] == {"label": "neither"}


def test_removing_a_branch_that_is_not_there_removes_nothing(admin_client, draft):
    # A forged or stale "remove:9" was an IndexError (500); issue 13's probe.
    url = f"/workflows/{draft.pk}/steps/new/?where=&index=0&type=branch"
    form = {"br-0-label": "Big", "br-0-origin": "", "br-1-label": "Won", "br-1-origin": ""}
    drawn = admin_client.post(url, {**form, "redraw": "remove:9"})
    assert drawn.status_code == 200
    assert 'value="Big"' in drawn.content.decode()
    assert 'value="Won"' in drawn.content.decode()


# SPEC WF-1
def test_a_secret_left_empty_is_kept_and_never_shown(admin_client, admin, draft):
    webhook = {"id": "s1", "type": "send_webhook", "config": WEBHOOK}
    services.update_workflow(draft, actor=admin, definition={**_draft(draft), "steps": [webhook]})
    form = admin_client.get(f"/workflows/{draft.pk}/steps/s1/").content.decode()
    assert WEBHOOK["secret"] not in form
    assert "keep the secret" in form
    page = admin_client.get(f"/workflows/{draft.pk}/").content.decode()
    assert WEBHOOK["secret"] not in page
    admin_client.post(
        f"/workflows/{draft.pk}/steps/s1/",
        {"cfg-url": "https://hooks.example.com/new", "cfg-secret": ""},
    )
    config = _draft(draft)["steps"][0]["config"]
    assert config["url"] == "https://hooks.example.com/new"
    assert config["secret"] == WEBHOOK["secret"]


# SPEC WF-1
def test_remove_a_step(admin_client, admin, draft):
    services.update_workflow(
        draft, actor=admin, definition={**_draft(draft), "steps": [remember("a"), remember("b")]}
    )
    admin_client.post(f"/workflows/{draft.pk}/steps/a/remove/")
    assert [s["id"] for s in _draft(draft)["steps"]] == ["b"]
    gone = admin_client.post(f"/workflows/{draft.pk}/steps/a/remove/", follow=True)
    assert b"has no step" in gone.content


# SPEC WF-3
def test_review_shows_changes_and_problems_then_publishes(admin_client, admin, draft):
    review = admin_client.get(f"/workflows/{draft.pk}/publish/").content.decode()
    assert "Add an enrollment trigger" in review
    assert "disabled" in review
    refused = admin_client.post(f"/workflows/{draft.pk}/publish/")
    assert refused.status_code == 400
    assert Workflow.objects.get().published is None
    services.update_workflow(draft, actor=admin, definition={
        "triggers": {"filters": where("dealname", "contains", "Big"), "events": []},
        "steps": [remember("a")]})  # fmt: skip
    review = admin_client.get(f"/workflows/{draft.pk}/publish/").content.decode()
    assert "First version: Remember (tests)" in review
    assert admin_client.post(f"/workflows/{draft.pk}/publish/").status_code == 302
    published = Workflow.objects.get().published
    assert published is not None
    assert published.number == 1
    services.update_workflow(draft, actor=admin, definition={
        **_draft(draft), "steps": [remember("a"), remember("b")]})  # fmt: skip
    review = admin_client.get(f"/workflows/{draft.pk}/publish/").content.decode()
    assert "Changes since version 1" in review
    assert "Added: Remember (tests)." in review


# SPEC WF-2
def test_turn_on_offers_the_records_that_match_now_then_off(admin_client, admin, draft, deal):
    big = Deal.objects.create(name="Big one")
    services.update_workflow(draft, actor=admin, definition={
        "triggers": {"filters": where("dealname", "contains", "Big"), "events": []},
        "steps": [remember("a")]})  # fmt: skip
    services.publish_workflow(draft, actor=admin)
    dialog = admin_client.get(f"/workflows/{draft.pk}/turn-on/").content.decode()
    assert 'data-testid="existing-count">1<' in dialog
    admin_client.post(f"/workflows/{draft.pk}/turn-on/", {"existing": "1"})
    assert Workflow.objects.get().enabled
    assert list(Enrollment.objects.values_list("object_id", flat=True)) == [big.pk]
    again = admin_client.post(f"/workflows/{draft.pk}/turn-on/")
    assert again.status_code == 400
    assert b"already on" in again.content
    admin_client.post(f"/workflows/{draft.pk}/turn-off/")
    assert not Workflow.objects.get().enabled


@pytest.mark.parametrize(
    ("names", "offer", "done"),
    [
        (["Big one"], "Also enroll the 1 deal that meets the criteria now",
         "1 existing record was enrolled."),
        (["Big one", "Big two"], "Also enroll the 2 deals that meet the criteria now",
         "2 existing records were enrolled."),
    ],
)  # fmt: skip
def test_turn_on_counts_the_matching_records_in_proper_plurals(
    admin_client, admin, draft, names, offer, done
):
    for name in names:
        Deal.objects.create(name=name)
    services.update_workflow(draft, actor=admin, definition={
        "triggers": {"filters": where("dealname", "contains", "Big"), "events": []},
        "steps": [remember("a")]})  # fmt: skip
    services.publish_workflow(draft, actor=admin)

    dialog = admin_client.get(f"/workflows/{draft.pk}/turn-on/").content.decode()
    turned_on = admin_client.post(f"/workflows/{draft.pk}/turn-on/", {"existing": "1"}, follow=True)

    assert offer in " ".join(re.sub(r"<[^>]+>", "", dialog).split())
    assert done in turned_on.content.decode()


# SPEC WF-2
def test_a_deal_trigger_can_filter_on_the_amount(admin_client, admin, draft, deal):
    page = admin_client.get(f"/workflows/{draft.pk}/").content.decode()
    assert '<option value="amount"' in page.split('name="ev-')[0]  # among the filter properties
    form = {"f-a1-group": "g1", "f-a1-prop": "amount", "f-a1-op": "gt", "f-a1-value": "400"}
    assert admin_client.post(f"/workflows/{draft.pk}/triggers/", form).status_code == 302
    Deal.objects.create(name="Small one", amount=100)
    services.update_workflow(
        draft, actor=admin, definition={**_draft(draft), "steps": [remember("a")]}
    )
    services.publish_workflow(draft, actor=admin)

    dialog = admin_client.get(f"/workflows/{draft.pk}/turn-on/").content.decode()

    assert 'data-testid="existing-count">1<' in dialog  # the fixture's deal: 435.00
    admin_client.post(f"/workflows/{draft.pk}/turn-on/", {"existing": "1"})
    assert list(Enrollment.objects.values_list("object_id", flat=True)) == [deal.pk]


# SPEC WF-1
def test_export_then_import_as_a_new_workflow(admin_client, admin, draft):
    services.update_workflow(draft, actor=admin, definition={
        "triggers": {"filters": where("dealname", "contains", "Big"), "events": []},
        "steps": [{"id": "s1", "type": "send_webhook", "config": WEBHOOK}]})  # fmt: skip
    download = admin_client.get(f"/workflows/{draft.pk}/export/")
    assert download["Content-Disposition"] == 'attachment; filename="won-deals.json"'
    document = json.loads(download.content)
    assert WEBHOOK["secret"] not in download.content.decode()
    refused = admin_client.post("/workflows/import/", {"json": "{not json"})
    assert refused.status_code == 400
    assert b"not JSON" in refused.content
    made = admin_client.post("/workflows/import/", {"json": json.dumps(document)})
    copy = Workflow.objects.exclude(pk=draft.pk).get()
    assert made["Location"] == f"/workflows/{copy.pk}/"
    assert copy.draft["steps"][0]["config"]["url"] == WEBHOOK["url"]
    assert copy.draft["triggers"] == _draft(draft)["triggers"]
