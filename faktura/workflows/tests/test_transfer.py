"""Workflows as JSON documents: export and import through the services and
`manage.py workflows` — round trips, secrets left out and kept, unreadable documents refused in
words with nothing written, publishing and turning on or off all or nothing."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from faktura.core.errors import RuleViolation
from faktura.sales import services as sales
from faktura.workflows import services, transfer
from faktura.workflows.models import Workflow, WorkflowVersion
from faktura.workflows.tests.conftest import ran, read_feed, remember, where

pytestmark = pytest.mark.django_db

WON = where("dealstage", "any_of", "closedwon")
SECRET = "s3cret-for-the-receiver"


def hook(step_id="hook", secret=SECRET, url="https://example.com/hooks/won"):
    config = {"url": url, "include_properties": "dealname,dealstage"}
    if secret is not None:
        config["secret"] = secret
    return {"id": step_id, "type": "send_webhook", "config": config}


def definition(*steps, filters=WON):
    """Every part of the format: criteria, an event, re-enrollment, a delay and a branch whose
    first path holds a webhook (with its secret)."""
    return {
        "triggers": {
            "filters": filters,
            "events": [{"event": "property_changed", "property": "dealstage", "to": "closedwon"}],
        },
        "re_enrollment": {"enabled": True, "properties": ["dealstage"]},
        "steps": list(steps)
        or [
            remember("s1"),
            {"id": "wait", "type": "delay", "config": {"kind": "duration", "minutes": 60}},
            {
                "id": "split",
                "type": "branch",
                "branches": [
                    {
                        "label": "Big",
                        "filters": where("dealname", "contains", "Enterprise"),
                        "steps": [hook()],
                    }
                ],
                "otherwise": [remember("s2")],
            },
        ],
    }


def create(admin, name="Won deals", draft=None, object_type="deal"):
    return services.create_workflow(
        actor=admin, name=name, object_type=object_type, definition=draft or definition()
    )


def published(admin, **kwargs):
    workflow = create(admin, **kwargs)
    services.publish_workflow(workflow, actor=admin)
    services.turn_on_workflow(workflow, actor=admin)
    return Workflow.objects.get(pk=workflow.pk)


def hook_config(workflow):
    """The webhook step's config in the workflow's draft (inside the branch)."""
    return Workflow.objects.get(pk=workflow.pk).draft["steps"][2]["branches"][0]["steps"][0][
        "config"
    ]


def document(**changes):
    base = {
        "format": "faktura-workflow",
        "version": 1,
        "name": "Imported",
        "object_type": "deal",
        "definition": definition(),
    }
    return {**base, **changes}


# The service


# SPEC WF-1
def test_a_round_trip_through_a_file_gives_the_same_workflow_off_and_unpublished(admin):
    source = published(admin)
    text = json.dumps(transfer.export_workflow(source, include_secrets=True))

    copy = transfer.import_workflow(json.loads(text), actor=admin)

    assert copy.pk != source.pk
    assert (copy.name, copy.object_type) == ("Won deals", "deal")
    assert copy.draft == source.draft
    assert (copy.enabled, copy.published) == (False, None)
    exported = transfer.export_workflow(copy, include_secrets=True)
    assert exported["definition"] == json.loads(text)["definition"]


def test_the_document_says_how_the_workflow_stood_and_exports_the_same_text_each_time(admin):
    workflow = published(admin)
    services.update_workflow(workflow, actor=admin, name="Won deals, renamed")
    workflow.refresh_from_db()

    exported = transfer.export_workflow(workflow)

    assert list(exported)[:2] == ["format", "version"]
    assert exported["format"] == "faktura-workflow"
    assert exported["version"] == 1
    assert exported["name"] == "Won deals, renamed"
    assert exported["object_type"] == "deal"
    assert exported["enabled"] is True
    assert exported["published_version"] == 1
    assert exported["has_unpublished_changes"] is False
    assert list(exported["definition"]) == ["re_enrollment", "steps", "triggers"]
    assert json.dumps(exported) == json.dumps(transfer.export_workflow(workflow))


def test_secrets_are_left_out_unless_asked_for(admin):
    workflow = create(admin)

    without = transfer.export_workflow(workflow)
    with_them = transfer.export_workflow(workflow, include_secrets=True)

    left_out = without["definition"]["steps"][2]["branches"][0]["steps"][0]["config"]
    assert left_out == {
        "url": "https://example.com/hooks/won",
        "include_properties": "dealname,dealstage",
    }
    kept = with_them["definition"]["steps"][2]["branches"][0]["steps"][0]["config"]
    assert kept["secret"] == SECRET
    assert SECRET not in json.dumps(without)
    assert transfer.secrets_left_out(workflow) == ["step hook (Send a webhook: Secret)"]
    assert hook_config(workflow)["secret"] == SECRET  # the stored draft is untouched


# SPEC WF-3
def test_replacing_keeps_the_secret_the_document_leaves_out_and_publishes(admin):
    workflow = published(admin)
    exported = transfer.export_workflow(workflow)
    hook_step = exported["definition"]["steps"][2]["branches"][0]["steps"][0]
    hook_step["config"]["url"] = "https://example.com/hooks/won-v2"
    exported["name"] = "Won deals v2"

    replaced = transfer.import_workflow(exported, actor=admin, into=workflow, publish=True)

    assert replaced.pk == workflow.pk
    assert replaced.name == "Won deals v2"
    version = replaced.published
    assert version is not None
    assert version.number == 2
    config = version.definition["steps"][2]["branches"][0]["steps"][0]["config"]
    assert config == {
        "url": "https://example.com/hooks/won-v2",
        "secret": SECRET,
        "include_properties": "dealname,dealstage",
    }
    assert replaced.enabled is True  # left as it was: no `enabled` asked


def test_a_secret_given_in_the_document_replaces_the_kept_one_and_other_steps_get_none(admin):
    workflow = create(admin)
    changed = document(
        definition=definition(
            remember("s1"), hook("hook", secret="new-secret"), hook("other", None)
        )
    )

    transfer.import_workflow(changed, actor=admin, into=workflow)

    steps = Workflow.objects.get(pk=workflow.pk).draft["steps"]
    assert steps[1]["config"]["secret"] == "new-secret"
    assert "secret" not in steps[2]["config"]


# SPEC WF-3
def test_a_new_workflow_whose_document_left_the_secret_out_is_not_published_nor_created(admin):
    exported = transfer.export_workflow(create(admin))

    with pytest.raises(RuleViolation) as refused:
        transfer.import_workflow(exported, actor=admin, publish=True)

    assert "“Send a webhook”: Secret is required." in refused.value.reason
    assert "The document leaves out the secret of step hook (Send a webhook: Secret)" in (
        refused.value.reason
    )
    assert "import without publishing and enter it in the editor" in refused.value.reason
    assert Workflow.objects.count() == 1


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            [document()],
            'A workflow document is a JSON object with "format": "faktura-workflow"; '
            "this is a list.",
        ),
        ("text", "this is text."),
        (None, "this is null."),
        (
            document(format="zapier"),
            'its "format" is "zapier", not "faktura-workflow". Import a file that Faktura exported',
        ),
        ({"name": "x"}, 'its "format" is missing'),
        (document(version=2), "version 2 of the format; this Faktura reads version 1. Upgrade"),
        (document(version="1"), '"version" must be a whole number (1 for this Faktura).'),
        (document(enable=True), "fields Faktura does not know: enable. Check their spelling"),
        (document(name=" "), '"name" must be the workflow\'s name, as text.'),
        (
            document(object_type="ticket"),
            '"object_type" is "ticket"; a workflow is for one of: '
            "contact, company, deal, quote, invoice, payment.",
        ),
        (document(definition=[]), '"definition" must be a JSON object with the triggers'),
        (document(definition={"steps": {"id": "s1"}}), "definition.steps must be a list of steps"),
        (
            document(definition={"triggers": {"filters": [["dealstage"]]}}),
            "definition.triggers.filters must be a list of groups, each a list of conditions",
        ),
        (
            document(
                definition=definition(remember("s1"), {"id": "s2", "type": "delay", "config": []})
            ),
            "definition.steps[1].config must be an object.",
        ),
        (
            document(
                definition={
                    "steps": [
                        {
                            "id": "b",
                            "type": "branch",
                            "branches": [{"label": "x", "steps": [{"type": "delay"}]}],
                        }
                    ]
                }
            ),
            "definition.steps[0].branches[0].steps[0] needs an id and a type, as text.",
        ),
    ],
)
def test_an_unreadable_document_is_refused_saying_what_is_wrong_and_nothing_is_written(
    admin, given, said
):
    with pytest.raises(RuleViolation) as refused:
        transfer.import_workflow(given, actor=admin, publish=True, enabled=True)

    assert said in refused.value.reason
    assert refused.value.code == "invalid"
    assert not Workflow.objects.exists()


def test_every_problem_of_a_document_is_listed_at_once(admin):
    with pytest.raises(RuleViolation) as refused:
        transfer.import_workflow(document(version=0, name=3, object_type=None), actor=admin)

    assert "There is no version 0" in refused.value.reason
    assert '"name" must be' in refused.value.reason
    assert '"object_type" is missing' in refused.value.reason


# SPEC WF-1
def test_a_workflow_keeps_its_object_type(admin):
    workflow = create(admin)

    with pytest.raises(RuleViolation) as refused:
        transfer.import_workflow(
            document(object_type="contact", definition=definition(filters=[])),
            actor=admin,
            into=workflow,
        )

    assert "The document is a contact workflow and “Won deals” is a deal workflow" in (
        refused.value.reason
    )
    assert Workflow.objects.get(pk=workflow.pk).name == "Won deals"


# SPEC WF-3
def test_a_refused_publish_rolls_back_the_new_name_and_draft_and_the_turning_off(admin):
    workflow = published(admin)
    before = Workflow.objects.get(pk=workflow.pk).draft
    no_trigger = document(name="Broken", definition={"steps": [remember("s1")]})

    with pytest.raises(RuleViolation) as refused:
        transfer.import_workflow(
            no_trigger, actor=admin, into=workflow, publish=True, enabled=False
        )

    assert refused.value.reason == (
        "The workflow cannot be published yet: Add an enrollment trigger: filter criteria, an "
        "event, or both."
    )
    after = Workflow.objects.get(pk=workflow.pk)
    assert (after.name, after.draft, after.enabled) == ("Won deals", before, True)
    assert WorkflowVersion.objects.filter(workflow=workflow).count() == 1


# SPEC WF-3
def test_publishing_a_draft_that_is_already_published_is_not_an_error(admin):
    workflow = published(admin)

    again = transfer.import_workflow(
        transfer.export_workflow(workflow, include_secrets=True),
        actor=admin,
        into=workflow,
        publish=True,
        enabled=True,
    )

    assert again.published is not None
    assert again.published.number == 1
    assert again.enabled is True
    assert not again.has_unpublished_changes


# SPEC WF-1
def test_the_documents_enabled_is_never_applied_only_the_asked_state(admin):
    on_elsewhere = document(enabled=True, published_version=7, has_unpublished_changes=False)

    imported = transfer.import_workflow(on_elsewhere, actor=admin, publish=True)
    assert imported.published is not None
    assert (imported.enabled, imported.published.number) == (False, 1)

    turned_on = transfer.import_workflow(on_elsewhere, actor=admin, into=imported, enabled=True)
    assert turned_on.enabled is True

    left = transfer.import_workflow(document(enabled=False), actor=admin, into=imported)
    assert left.enabled is True

    turned_off = transfer.import_workflow(on_elsewhere, actor=admin, into=imported, enabled=False)
    assert turned_off.enabled is False


# SPEC WF-3
def test_turning_on_without_publishing_is_refused_and_nothing_is_created(admin):
    with pytest.raises(RuleViolation) as refused:
        transfer.import_workflow(document(), actor=admin, enabled=True)

    assert refused.value.reason == "Review and publish the workflow before turning it on."
    assert not Workflow.objects.exists()


# SPEC WF-1
# SPEC WF-2
def test_an_imported_workflow_published_and_turned_on_enrolls_and_runs(
    admin, system, django_capture_on_commit_callbacks
):
    steps = definition(remember("s1"), remember("s2"))
    workflow = transfer.import_workflow(
        document(definition=steps), actor=admin, publish=True, enabled=True
    )
    won = sales.create_deal(actor=system, dealname="Engine", dealstage="closedwon")

    with django_capture_on_commit_callbacks(execute=True):  # the steps run as the worker would
        assert read_feed().enrolled == 1

    assert ran(won) == ["s1", "s2"]
    assert workflow.enrollments.get().object_id == won.pk


def test_only_those_who_manage_workflows_export_and_import(editor, admin):
    create(admin)

    for attempt in (
        lambda: transfer.readable_workflows(editor),
        lambda: transfer.import_workflow(document(), actor=editor),
        lambda: transfer.import_workflows([document()], actor=editor),
    ):
        with pytest.raises(RuleViolation) as refused:
            attempt()
        assert refused.value.reason == "Only a super admin can create and change workflows."
    assert Workflow.objects.count() == 1


def test_several_documents_import_as_new_workflows_all_or_none(admin):
    good, bad = document(name="First"), document(name="Second", version=3)

    with pytest.raises(RuleViolation) as refused:
        transfer.import_workflows([good, bad], actor=admin)

    assert refused.value.reason.startswith("Document 2 (“Second”): The document is in version 3")
    assert refused.value.reason.endswith("Nothing was imported.")
    assert not Workflow.objects.exists()
    made = transfer.import_workflows([good, document(name="Second")], actor=admin)
    assert [w.name for w in made] == ["First", "Second"]


# The command


def run(*args, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    call_command("workflows", *args, stdout=out, stderr=err, stdin=stdin)
    return out.getvalue(), err.getvalue()


def test_the_command_lists_the_workflows(admin):
    first = published(admin)
    second = create(admin, name="Drafted", draft=definition(remember("s1")))

    out, _ = run("list")

    assert f"{first.pk}  Won deals (deal, on, v1)" in out
    assert f"{second.pk}  Drafted (deal, off, never published)" in out


def test_the_command_exports_one_document_or_a_list_and_says_which_secrets_it_left_out(
    admin, tmp_path
):
    first = create(admin)
    second = create(admin, name="Second", draft=definition(remember("s1")))

    out, err = run("export", str(first.pk))
    assert json.loads(out) == transfer.export_workflow(first)
    assert f"Exported 1 workflow to stdout:\n  {first.pk}  Won deals\n" in err
    assert "left out the secret of step hook (Send a webhook: Secret)" in err
    assert "Pass --include-secrets to keep them" in err

    out, _ = run("export", str(second.pk), str(first.pk), "--include-secrets")
    assert [d["name"] for d in json.loads(out)] == ["Second", "Won deals"]
    assert SECRET in out

    target = tmp_path / "all.json"
    out, err = run("export", "--all", "--output", str(target))
    assert out == ""
    assert [d["name"] for d in json.loads(target.read_text())] == ["Second", "Won deals"]
    assert f"to {target}:" in err


def test_the_command_imports_a_file_publishes_turns_on_and_replaces(admin, tmp_path):
    source = tmp_path / "won.json"
    source.write_text(json.dumps(document(name="From a file")))

    out, _ = run("import", str(source), "--publish", "--on")
    made = Workflow.objects.get()
    assert out == f"Created workflow {made.pk} “From a file” (deal): published as version 1, on.\n"
    assert made.enabled
    assert made.created_by is None  # the system imported it

    source.write_text(json.dumps(document(name="Renamed")))
    out, _ = run("import", str(source), "--into", str(made.pk), "--publish")
    assert out == (
        f"Replaced workflow {made.pk} “Renamed” (deal): published version 1 unchanged, on.\n"
    )

    stdin = io.StringIO(json.dumps(document(name="Off now")))
    out, _ = run("import", "-", "--into", str(made.pk), "--off", stdin=stdin)
    assert out.endswith("“Off now” (deal): published version 1 unchanged, off.\n")


def test_the_command_imports_an_exported_list_as_new_workflows(admin, tmp_path):
    create(admin, name="One")
    create(admin, name="Two")
    target = tmp_path / "all.json"
    run("export", "--all", "--include-secrets", "--output", str(target))

    out, _ = run("import", str(target))

    assert out.count("Created workflow") == 2
    assert sorted(Workflow.objects.values_list("name", flat=True)) == ["One", "One", "Two", "Two"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("export",), "Name the workflows to export by id, or pass --all."),
        (("export", "999"), "There is no workflow 999. `manage.py workflows list` shows the ids."),
        (("export", "1", "--all"), "Give workflow ids or --all, not both."),
        (("import", "{missing}"), "Could not read"),
        (("import", "{not_json}"), "is not JSON (Expecting value at line 1, column 1)."),
        (("import", "{list}", "--into", "1"), "The file holds several workflows; --into"),
        (("import", "{doc}", "--into", "999"), "There is no workflow 999 to import into."),
        (("import", "{wrong}"), 'its "format" is "other", not "faktura-workflow"'),
        (("import", "{doc}", "--on"), "Review and publish the workflow before turning it on."),
    ],
)
def test_the_command_says_what_is_wrong(admin, tmp_path, args, said):
    files = {
        "missing": tmp_path / "missing.json",
        "not_json": tmp_path / "not.json",
        "list": tmp_path / "list.json",
        "doc": tmp_path / "doc.json",
        "wrong": tmp_path / "wrong.json",
    }
    files["not_json"].write_text("workflows: yes")
    files["list"].write_text(json.dumps([document()]))
    files["doc"].write_text(json.dumps(document()))
    files["wrong"].write_text(json.dumps(document(format="other")))

    with pytest.raises(CommandError) as refused:
        run(*[arg.format(**files) for arg in args])

    assert said in str(refused.value)
    assert not Workflow.objects.exists()
