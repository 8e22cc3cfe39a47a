"""Action configuration (config_fields.py): each field kind reads, checks and shows its values;
choices computed when asked, from the object type and the step's configuration, a provider that
fails said in words; action types that are unavailable here, with the reason, at publish and at
run time."""

import logging

import pytest
from django.http import QueryDict

from faktura.core.errors import RuleViolation
from faktura.sales import services as sales
from faktura.workflows import services
from faktura.workflows.config_fields import (
    CHOICE,
    EMAIL,
    MASK,
    MULTI_CHOICE,
    NUMBER,
    PROPERTY,
    SECRET,
    TEXT,
    YES_NO,
    ConfigField,
    FieldContext,
    Number,
)
from faktura.workflows.models import EnrollmentStatus, StepRun, StepStatus
from faktura.workflows.registry import ActionType, action_types
from faktura.workflows.tests.conftest import ran, where
from faktura.workflows.tests.ledger_actions import ASKED, LEDGER_INVOICE, LEDGERS, ledger_step

PICK = (("a", "Apples"), ("b", "Bananas"))
WON = where("dealstage", "any_of", "closedwon")


def field(kind, **options):
    return ConfigField("x", options.pop("label", "Thing"), kind=kind, **options)


def problems(config_field, value, object_type="deal"):
    return config_field.problems(FieldContext(object_type, {"x": value}))


def shown(config_field, value, object_type="deal"):
    return config_field.display(value, FieldContext(object_type, {"x": value}))


# --- kinds -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "submitted", "read"),
    [
        (TEXT, "cfg-x=+Call+them+", "Call them"),
        (NUMBER, "cfg-x=42", 42),
        (NUMBER, "cfg-x=2.0", 2),
        (NUMBER, "cfg-x=soon", "soon"),  # kept as typed: its problems say why
        (NUMBER, "", ""),
        (SECRET, "cfg-x=s3cret", "s3cret"),
        (YES_NO, "cfg-x=yes", True),
        (YES_NO, "cfg-x=no", False),
        (YES_NO, "", False),
        (MULTI_CHOICE, "cfg-x=b&cfg-x=a&cfg-x=b&cfg-x=+", ["b", "a"]),
        (MULTI_CHOICE, "", []),
    ],
)
def test_each_kind_reads_the_submitted_form_back_normalised(kind, submitted, read):
    assert kind.read(QueryDict(submitted), "cfg-x") == read


@pytest.mark.parametrize(
    ("config_field", "value", "problem"),
    [
        (field(NUMBER), "soon", "Thing must be a whole number, not “soon”."),
        (field(Number(minimum=1, maximum=5)), 9, "Thing must be between 1 and 5."),
        (field(Number(minimum=0, unit="days")), "-1", "Thing must be at least 0 days."),
        (field(Number(maximum=3, unit="days")), "1.5", "Thing must be a whole number of days, "
                                                       "not “1.5”."),
        (field(EMAIL), "maria@", "Thing must be an email address such as name@example.com, "
                                 "not “maria@”."),
        (field(CHOICE, choices=PICK), "c", "Thing must be one of a, b."),
        (field(MULTI_CHOICE, choices=PICK), ["a", "c"], "Thing must be one of a, b."),
        (field(MULTI_CHOICE, choices=PICK), "a", "Thing must be a list of choices, not “a”."),
        (field(YES_NO), "maybe", "Thing must be Yes or No (true or false in JSON), not “maybe”."),
        (field(PROPERTY), "nope", "'nope' is not a deal property."),
        (field(TEXT), "  ", "Thing is required."),
        (field(MULTI_CHOICE, choices=PICK), [], "Thing is required."),
    ],
)  # fmt: skip
def test_each_kind_checks_a_value_in_a_sentence_that_names_the_field(config_field, value, problem):
    assert problems(config_field, value) == [problem]


@pytest.mark.parametrize(
    ("config_field", "value"),
    [
        (field(NUMBER), 3),
        (field(Number(minimum=0, maximum=3650, unit="days")), "2"),
        (field(EMAIL), "maria@example.com"),
        (field(CHOICE, choices=PICK), "b"),
        (field(MULTI_CHOICE, choices=PICK), ["b", "a"]),
        (field(YES_NO), False),
        (field(PROPERTY), "dealname"),
        (field(TEXT, required=False), ""),
        (field(YES_NO, required=False), None),
    ],
)
def test_each_kind_accepts_a_good_value(config_field, value):
    assert problems(config_field, value) == []


@pytest.mark.parametrize(
    ("config_field", "value", "text"),
    [
        (field(TEXT), "Call them", "Call them"),
        (field(NUMBER), 3, "3"),
        (field(SECRET), "s3cret", MASK),
        (field(YES_NO), True, "Yes"),
        (field(YES_NO), False, "No"),
        (field(PROPERTY), "dealname", "Deal name"),
        (field(CHOICE, choices=PICK), "b", "Bananas"),
        (field(CHOICE, choices=PICK), "gone", "gone"),
        (field(MULTI_CHOICE, choices=PICK), ["b", "a"], "Bananas, Apples"),
        (field(TEXT), "", "—"),
    ],
)
def test_each_kind_shows_a_saved_value_as_a_person_reads_it(config_field, value, text):
    assert shown(config_field, value) == text


# --- computed choices --------------------------------------------------------------------------


def test_computed_choices_read_the_object_type_and_the_steps_configuration():
    echo = field(CHOICE, choices=lambda c: [(c.object_type, str(c.config.get("y")))])
    assert FieldContext("quote", {"y": 7}).options(echo).choices == (("quote", "7"),)
    terms = LEDGER_INVOICE.fields[1]
    assert FieldContext("deal", {"company": "globex"}).options(terms).choices == (
        ("receipt", "Due on receipt"),
    )
    assert FieldContext("deal", {"company": "acme"}).options(terms).choices == (
        ("net15", "Net 15"),
        ("net30", "Net 30"),
    )
    assert FieldContext("deal", {}).options(terms).choices == ()


def test_choices_are_asked_for_once_per_context_and_never_for_the_log():
    company = LEDGER_INVOICE.fields[0]
    context = FieldContext("deal", {"company": "acme"})
    context.options(company)
    assert shown(company, "acme") == "Acme Inc."
    assert [name for name, _ in ASKED] == ["company", "company"]  # one per context

    ASKED.clear()
    log = FieldContext("deal", {"company": "acme"}, live=False)
    assert company.display("acme", log) == "acme"  # the stored value, no call
    assert ASKED == []


# SPEC WF-3
@pytest.mark.django_db
def test_a_provider_that_cannot_read_its_choices_is_a_problem_in_words():
    config = {"company": "offline", "terms": "net30"}
    terms = LEDGER_INVOICE.fields[1]

    options = FieldContext("deal", config).options(terms)

    message = (
        "Could not read the payment terms from Offline Corp: the connection timed out; try again."
    )
    assert options.error == message
    assert LEDGER_INVOICE.problems("deal", config) == [
        f"“Create a ledger invoice (tests)”: Payment terms: {message}"
    ]


def test_an_unexpected_failure_of_a_provider_is_logged_and_said_in_words(caplog):
    def broken(context):
        raise RuntimeError("socket closed")

    with caplog.at_level(logging.ERROR, logger="faktura.workflows.config_fields"):
        assert problems(field(CHOICE, choices=broken, label="Terms"), "net30") == [
            "Terms: Could not read the choices for Terms (RuntimeError: socket closed). Try "
            "again; if it keeps failing, ask your administrator to look at the server log."
        ]
    assert "socket closed" in caplog.text


@pytest.mark.django_db
def test_a_choice_no_longer_offered_names_the_choices_offered_now():
    assert LEDGER_INVOICE.problems("deal", {"company": "acme", "terms": "receipt"}) == [
        "“Create a ledger invoice (tests)”: Payment terms: “receipt” is not among the choices "
        "offered now (Net 15, Net 30). Choose again in the editor."
    ]
    del LEDGERS["acme"]
    assert LEDGER_INVOICE.problems("deal", {"company": "acme", "terms": "net30"}) == [
        "“Create a ledger invoice (tests)”: Ledger company: “acme” is not among the choices "
        "offered now (Globex LLC, Offline Corp). Choose again in the editor.",
        "“Create a ledger invoice (tests)”: Payment terms: “net30” is not among the choices "
        "offered now (none). Choose again in the editor.",
    ]


# --- publishing what was checked ---------------------------------------------------------------

RACING = {"id": "s1", "type": "tests.racing", "config": {"choice": "a"}}
EDIT_WHILE_CHECKED: list = []


def _choices_while_someone_edits(context):
    """Offers "a" and "b"; for a workflow a test put in EDIT_WHILE_CHECKED, another editor
    first saves a change to its draft (as if at the same moment)."""
    if EDIT_WHILE_CHECKED:
        workflow, actor = EDIT_WHILE_CHECKED.pop()
        step = {**RACING, "config": {"choice": "b"}}
        services.update_workflow(workflow, actor=actor, definition={**workflow.draft,
                                                                    "steps": [step]})  # fmt: skip
    return [("a", "A"), ("b", "B")]


action_types.register(
    "tests.racing",
    ActionType(
        name="tests.racing",
        label="Racing (tests)",
        description="Its choices are asked for while another editor saves the draft.",
        run=lambda context: {},
        fields=(
            ConfigField("choice", "Choice", kind=CHOICE, choices=_choices_while_someone_edits),
        ),
    ),
)


# SPEC WF-3
def test_a_draft_changed_while_it_is_checked_is_not_published(admin):
    workflow = services.create_workflow(
        actor=admin,
        name="Racing",
        object_type="deal",
        definition={"triggers": {"filters": WON, "events": []}, "steps": [RACING]},
    )
    EDIT_WHILE_CHECKED.append((workflow, admin))

    with pytest.raises(RuleViolation, match="The draft changed while it was being checked"):
        services.publish_workflow(workflow, actor=admin)

    workflow.refresh_from_db()
    assert workflow.published is None
    assert workflow.draft["steps"][0]["config"] == {"choice": "b"}


# --- availability ------------------------------------------------------------------------------

NOT_IN_THE_US = (
    "“Create a ledger invoice (tests)” is not available: Ledger actions are offered only to "
    "accounts whose company is in the United States; this account's company country is NO "
    "(Settings)."
)


# SPEC WF-3
def test_an_unavailable_action_says_why_and_cannot_be_published(account, admin):
    assert LEDGER_INVOICE.unavailable() == ""
    workflow = services.create_workflow(
        actor=admin,
        name="Ledger",
        object_type="deal",
        definition={"triggers": {"filters": WON, "events": []}, "steps": [ledger_step()]},
    )
    account(company_country="NO")
    ASKED.clear()

    assert LEDGER_INVOICE.unavailable() == NOT_IN_THE_US
    assert LEDGER_INVOICE.problems("deal", ledger_step()["config"]) == [NOT_IN_THE_US]
    assert ASKED == []  # its choices may need what is missing: not asked
    with pytest.raises(RuleViolation) as refused:
        services.publish_workflow(workflow, actor=admin)
    assert NOT_IN_THE_US in refused.value.reason


# SPEC WF-4
def test_a_step_of_an_action_that_became_unavailable_fails_with_the_reason_then_can_be_retried(
    account, admin, system, live_workflow, run_feed, django_capture_on_commit_callbacks
):
    workflow = live_workflow("deal", [ledger_step()], filters=WON)
    account(company_country="NO")
    deal = sales.create_deal(actor=system, dealname="Engine", dealstage="closedwon")

    run_feed()

    failed = StepRun.objects.get(enrollment__workflow=workflow)
    assert (failed.status, failed.error, failed.attempts) == (StepStatus.FAILED, NOT_IN_THE_US, 1)
    assert failed.run_after is None  # not retried automatically: waiting will not fix it
    assert failed.enrollment.status == EnrollmentStatus.FAILED
    assert ran(deal) == []

    account(company_country="US")
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_step_run(failed, actor=admin)

    failed.refresh_from_db()
    assert failed.status == StepStatus.SUCCEEDED
    assert ran(deal) == ["ledger"]
