"""/faktura/v1/workflows with real tokens through Django's whole stack: the scope and who the
token acts for, the list, a workflow's document (no secrets), import as new and over an existing
one with publishing and turning on or off, and refusals in HubSpot's error body."""

import pytest

from faktura.accounts.models import Role
from faktura.api.scopes import WORKFLOWS
from faktura.api.tests.conftest import ApiClient
from faktura.api.tokens import create_token
from faktura.core.actors import Actor
from faktura.workflows import services
from faktura.workflows.models import Workflow

pytestmark = pytest.mark.django_db

URL = "/faktura/v1/workflows"
SECRET = "s3cret-for-the-receiver"
WON = [[{"property": "dealstage", "operator": "any_of", "values": ["closedwon"]}]]


def hook(secret=SECRET):
    config = {"url": "https://example.com/hooks/won", "include_properties": ""}
    if secret is not None:
        config["secret"] = secret
    return {"id": "hook", "type": "send_webhook", "config": config}


def note(step_id="note", body="Won: {{ dealname }}"):
    return {"id": step_id, "type": "create_note", "config": {"body": body}}


def definition(*steps, filters=WON):
    return {
        "triggers": {"filters": filters, "events": []},
        "re_enrollment": {"enabled": False, "properties": []},
        "steps": list(steps) or [note(), hook()],
    }


def document(**changes):
    base = {
        "format": "faktura-workflow",
        "version": 1,
        "name": "Won deals",
        "object_type": "deal",
        "definition": definition(),
    }
    return {**base, **changes}


@pytest.fixture
def api(client, token_for):
    return ApiClient(client, token_for(WORKFLOWS))


@pytest.fixture
def workflow(system):
    """Published and on, with a webhook secret in its draft."""
    made = services.create_workflow(
        actor=system, name="Won deals", object_type="deal", definition=definition()
    )
    services.publish_workflow(made, actor=system)
    services.turn_on_workflow(made, actor=system)
    return Workflow.objects.get(pk=made.pk)


def put(api, workflow_id, body, query=""):
    return api.call("put", f"{URL}/{workflow_id}{query}", body)


def test_without_a_token_is_401_and_without_the_workflows_scope_403(client, token_for, workflow):
    assert client.get(URL).json()["category"] == "INVALID_AUTHENTICATION"
    assert client.get(URL).status_code == 401
    reader = ApiClient(client, token_for("crm.objects.deals.read", "crm.objects.deals.write"))

    for answer in (
        reader.get(URL),
        reader.get(f"{URL}/{workflow.pk}"),
        reader.post(URL, document()),
        put(reader, workflow.pk, document()),
    ):
        assert answer.status_code == 403
        assert answer.json()["category"] == "MISSING_SCOPES"
        assert "lacks faktura.workflows" in answer.json()["message"]
    assert Workflow.objects.get().name == "Won deals"


def test_a_token_acts_for_its_creator_who_must_still_be_a_super_admin(client, admin_user):
    raw = create_token(actor=Actor.for_user(admin_user), name="Deploy", scopes=[WORKFLOWS])[1]
    api = ApiClient(client, raw)
    assert api.post(URL, document()).status_code == 201

    admin_user.role = Role.EDITOR
    admin_user.save(update_fields=["role"])
    refused = api.post(URL, document(name="Second"))

    assert refused.status_code == 403
    assert refused.json()["category"] == "FORBIDDEN"
    assert refused.json()["message"].startswith(
        "Only a super admin can create and change workflows. The token acts for the user who "
        "created it"
    )
    assert api.get(URL).status_code == 403
    assert list(Workflow.objects.values_list("name", flat=True)) == ["Won deals"]


def test_the_list_shows_every_workflow_with_its_state(api, workflow, system):
    draft = services.create_workflow(actor=system, name="A draft", object_type="contact")

    listed = api.get(URL)

    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [r["name"] for r in rows] == ["A draft", "Won deals"]
    assert rows[0] == {
        "id": str(draft.pk),
        "name": "A draft",
        "objectType": "contact",
        "enabled": False,
        "publishedVersion": None,
        "hasUnpublishedChanges": True,
        "updatedAt": rows[0]["updatedAt"],
    }
    assert rows[1]["enabled"] is True
    assert rows[1]["publishedVersion"] == 1
    assert rows[1]["hasUnpublishedChanges"] is False
    assert rows[1]["updatedAt"].endswith("Z")


def test_a_workflow_is_its_document_with_its_id_and_without_secrets(api, workflow):
    answer = api.get(f"{URL}/{workflow.pk}")

    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == str(workflow.pk)
    assert (body["format"], body["version"], body["object_type"]) == ("faktura-workflow", 1, "deal")
    assert (body["enabled"], body["published_version"]) == (True, 1)
    assert body["definition"]["steps"][1]["config"] == {
        "url": "https://example.com/hooks/won",
        "include_properties": "",
    }
    assert SECRET not in answer.content.decode()


@pytest.mark.parametrize("missing", ["999999", "abc", "1²"])
def test_an_unknown_workflow_is_404(api, missing):
    answer = api.get(f"{URL}/{missing}")

    assert answer.status_code == 404
    assert answer.json()["category"] == "OBJECT_NOT_FOUND"
    assert answer.json()["message"] == (
        f"No workflow with id {missing} exists. GET /faktura/v1/workflows lists them."
    )


# SPEC WF-1
def test_posting_a_document_creates_a_workflow_that_is_off_until_asked(api):
    on_elsewhere = document(enabled=True, published_version=4, has_unpublished_changes=False)

    created = api.post(URL, on_elsewhere)

    assert created.status_code == 201
    body = created.json()
    assert (body["enabled"], body["published_version"]) == (False, None)
    made = Workflow.objects.get(pk=body["id"])
    assert made.draft == definition()
    assert (made.name, made.object_type, made.enabled) == ("Won deals", "deal", False)

    live = api.post(f"{URL}?publish=true&enabled=true", document(name="Live"))
    assert live.status_code == 201
    assert (live.json()["enabled"], live.json()["published_version"]) == (True, 1)
    assert Workflow.objects.get(pk=live.json()["id"]).enabled


# SPEC WF-3
def test_put_replaces_the_draft_keeping_the_secret_and_publishes_and_turns_off_and_on(
    api, workflow
):
    exported = api.get(f"{URL}/{workflow.pk}").json()
    exported["name"] = "Won deals v2"
    exported["definition"]["steps"][0]["config"]["body"] = "Won again: {{ dealname }}"

    replaced = put(api, workflow.pk, exported, "?publish=true")

    assert replaced.status_code == 200
    assert replaced.json()["name"] == "Won deals v2"
    assert replaced.json()["published_version"] == 2
    assert replaced.json()["enabled"] is True  # unchanged without `enabled`
    version = Workflow.objects.get(pk=workflow.pk).published
    assert version is not None
    assert version.definition["steps"][0]["config"]["body"] == "Won again: {{ dealname }}"
    assert version.definition["steps"][1]["config"]["secret"] == SECRET

    off = put(api, workflow.pk, exported, "?enabled=false")
    assert off.status_code == 200
    assert off.json()["enabled"] is False
    assert off.json()["published_version"] == 2
    again = put(api, workflow.pk, exported, "?publish=true&enabled=true")
    assert (again.json()["enabled"], again.json()["published_version"]) == (True, 2)


# SPEC WF-3
def test_a_refused_publish_changes_nothing_and_says_every_problem(api, workflow):
    broken = document(name="Broken", definition=definition(note(body=""), filters=[]))

    refused = put(api, workflow.pk, broken, "?publish=true&enabled=false")

    assert refused.status_code == 400
    assert refused.json()["category"] == "VALIDATION_ERROR"
    assert refused.json()["message"] == (
        "The workflow cannot be published yet: Add an enrollment trigger: filter criteria, an "
        "event, or both. “Create a note”: Note is required."
    )
    after = Workflow.objects.get(pk=workflow.pk)
    assert (after.name, after.draft, after.enabled) == ("Won deals", definition(), True)


# SPEC WF-3
def test_a_new_workflow_without_its_secret_is_not_published_nor_created(api):
    refused = api.post(f"{URL}?publish=true", document(definition=definition(hook(None))))

    assert refused.status_code == 400
    assert (
        "The document leaves out the secret of step hook (Send a webhook: Secret)"
        in (refused.json()["message"])
    )
    assert not Workflow.objects.exists()


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            document(format="n8n"),
            'This is not a Faktura workflow document: its "format" is "n8n", not '
            '"faktura-workflow". Import a file that Faktura exported',
        ),
        (document(version=2), "The document is in version 2 of the format; this Faktura reads"),
        (document(object_type="ticket"), '"object_type" is "ticket"; a workflow is for one of'),
        (
            document(definition={"steps": "delay"}),
            'definition.steps must be a list of steps like {"id": "s1", "type": "delay", …}.',
        ),
        (document(enable=True), "Invalid input: enable: Extra inputs are not permitted"),
        ({"name": "Won deals"}, "Invalid input: format: Field required; version: Field required"),
    ],
)
def test_bad_input_is_400_saying_what_is_wrong(api, body, said):
    refused = api.post(URL, body)

    assert refused.status_code == 400
    assert refused.json()["category"] == "VALIDATION_ERROR"
    assert said in refused.json()["message"]
    assert not Workflow.objects.exists()


# SPEC WF-1
def test_a_workflow_cannot_change_its_object_type(api, workflow):
    refused = put(api, workflow.pk, document(object_type="contact", definition=definition()))

    assert refused.status_code == 400
    assert "a workflow's object type cannot change" in refused.json()["message"]
    assert Workflow.objects.get(pk=workflow.pk).object_type == "deal"


def test_a_document_moves_from_one_workflow_to_a_new_one_unchanged(api, workflow):
    exported = api.get(f"{URL}/{workflow.pk}").json()

    copied = api.post(URL, {**exported, "name": "Copy"})

    assert copied.status_code == 201
    assert copied.json()["definition"] == exported["definition"]
    assert copied.json()["id"] != exported["id"]
