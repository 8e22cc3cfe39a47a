"""A new kind of configuration field is one class: the two kinds below, and an action using
them, are all this test declares. The editor draws and reads them, the outline and the action
log show them, and a secret one is kept when left empty, masked and left out of exports, with
no change anywhere else."""

import html
import re

import pytest
from django.utils.html import format_html, format_html_join

from faktura.sales import services as sales
from faktura.workflows import services, transfer
from faktura.workflows.config_fields import MASK, ConfigField, FieldKind, whole_number
from faktura.workflows.models import StepRun, StepStatus
from faktura.workflows.registry import ActionType, action_types
from faktura.workflows.tests.conftest import ran, remember, where

pytestmark = pytest.mark.django_db

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WON = where("dealstage", "any_of", "closedwon")


class Weekday(FieldKind):
    """A day of the week, stored as 0 (Monday) to 6; its input is a widget drawn in Python."""

    name = "weekday"

    def read(self, form, name):
        text = str(form.get(name, "")).strip()
        number = whole_number(text)
        return text if number is None else number

    def problems(self, config_field, value, context):
        if whole_number(value) in range(7):
            return []
        return [f"{config_field.label} must be a day of the week, not “{value}”."]

    def display(self, config_field, value, context):
        return DAYS[int(value)]

    def render(self, field_input):
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (n, " selected" if str(n) == field_input.value else "", d)
                for n, d in enumerate(DAYS)
            ),
        )
        return format_html(
            '<label class="form-label" for="{0}">{1}</label>'
            '<select class="form-select" id="{0}" name="{0}">{2}</select>',
            field_input.name,
            field_input.field.label,
            options,
        )


class DoorCode(FieldKind):
    """Four digits, secret: the password input of the built-in secret kind."""

    name = "door_code"
    template = "workflows/fields/secret.html"
    secret = True

    def problems(self, config_field, value, context):
        if re.fullmatch(r"\d{4}", str(value)):
            return []
        return [f"{config_field.label} must be 4 digits."]


def _open_the_door(context):
    return {"opened": DAYS[context.config["day"]]}


action_types.register(
    "tests.open_door",
    ActionType(
        name="tests.open_door",
        label="Open the door (tests)",
        description="Uses two kinds of field declared by its test.",
        run=_open_the_door,
        fields=(ConfigField("day", "Day", kind=Weekday()), ConfigField("code", "Door code",
                                                                       kind=DoorCode())),
    ),
)  # fmt: skip

STEP = {"id": "s1", "type": "tests.open_door", "config": {"day": 2, "code": "1234"}}


@pytest.fixture
def admin_client(signed_in, admin_user):
    return signed_in(admin_user)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# SPEC WF-1
def test_the_editor_draws_reads_checks_and_shows_a_new_kind(admin_client, admin):
    workflow = services.create_workflow(actor=admin, name="Doors", object_type="deal")
    url = f"/workflows/{workflow.pk}/steps/new/?where=&index=0&type=tests.open_door"

    form = admin_client.get(url).content.decode()
    assert '<select class="form-select" id="cfg-day" name="cfg-day">' in form
    assert 'type="password"' in form

    refused = admin_client.post(url, {"cfg-day": "2", "cfg-code": "12a4"})
    assert refused.status_code == 400
    assert "Door code must be 4 digits." in refused.content.decode()
    assert '<option value="2" selected>Wednesday</option>' in refused.content.decode()
    admin_client.post(url, {"cfg-day": "2", "cfg-code": "1234"})
    workflow.refresh_from_db()
    assert workflow.draft["steps"][0]["config"] == {"day": 2, "code": "1234"}

    page = admin_client.get(f"/workflows/{workflow.pk}/")
    assert "Day: Wednesday Door code: ••••••" in text_of(page)
    assert "1234" not in page.content.decode()
    panel = admin_client.get(f"/workflows/{workflow.pk}/steps/s1/").content.decode()
    assert "1234" not in panel
    assert "keep the secret" in panel

    admin_client.post(f"/workflows/{workflow.pk}/steps/s1/", {"cfg-day": "4", "cfg-code": ""})
    workflow.refresh_from_db()
    assert workflow.draft["steps"][0]["config"] == {"day": 4, "code": "1234"}  # kept


# SPEC WF-4
def test_the_action_log_and_exports_handle_a_new_secret_kind(
    live_workflow, system, admin_client, run_feed
):
    workflow = live_workflow("deal", [STEP, remember("after")], filters=WON)
    deal = sales.create_deal(actor=system, dealname="Front door", dealstage="closedwon")

    run_feed()

    run = StepRun.objects.get(step_id="s1")
    assert run.status == StepStatus.SUCCEEDED
    assert run.input == {"day": 2, "code": MASK}
    assert ran(deal) == ["after"]
    log = admin_client.get(f"/workflows/{workflow.pk}/logs/")
    assert "Open the door (tests) Succeeded 1 Day Wednesday Door code •••••• Opened Wednesday" in (
        text_of(log)
    )
    assert "1234" not in log.content.decode()

    document = transfer.export_workflow(workflow)
    assert document["definition"]["steps"][0]["config"] == {"day": 2}
    assert transfer.secrets_left_out(workflow) == ["step s1 (Open the door (tests): Door code)"]
    assert transfer.export_workflow(workflow, include_secrets=True)["definition"]["steps"][0][
        "config"
    ] == {"day": 2, "code": "1234"}
