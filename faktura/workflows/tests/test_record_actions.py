"""“Set a property” and “Copy a property from an associated record” (WF-4): each writes through
the owning app's update service as the workflow, says what it did, changes nothing when run
again, refuses with the service's reason, and checks its configuration before publishing."""

import pytest

from faktura.crm import services as crm
from faktura.history.models import Entry
from faktura.invoices.models import Invoice
from faktura.sales import services as sales
from faktura.sales.models import Deal, Quote
from faktura.workflows.models import StepRun, StepStatus
from faktura.workflows.registry import ActionError, action_types
from faktura.workflows.tests.conftest import WORKFLOW, read_feed, where
from faktura.workflows.tests.conftest import run_action as run

pytestmark = pytest.mark.django_db

SET = action_types.get("set_property")
COPY = action_types.get("copy_property")


def changes_by_workflow(object_type, record, prop):
    return list(
        Entry.objects.for_object(object_type, record.pk).filter(
            kind=Entry.Kind.CHANGE, property=prop, actor_kind="workflow"
        )
    )


# --- Set a property ------------------------------------------------------------------------------


# SPEC WF-4
def test_set_property_changes_the_deal_as_the_workflow_and_says_what_it_did(deal):
    result = run(SET, deal, "deal", property="dealstage", value="closedwon")

    assert result == {
        "property": "dealstage",
        "changed": True,
        "old": "appointmentscheduled",
        "new": "closedwon",
        "summary": "Deal stage: Appointment scheduled → Closed won",
    }
    deal.refresh_from_db()
    assert deal.stage == "closedwon"
    [entry] = changes_by_workflow("deal", deal, "dealstage")
    assert (entry.old_value, entry.new_value) == ("appointmentscheduled", "closedwon")
    assert entry.actor_label == WORKFLOW
    assert entry.actor_user_id is None


# SPEC WF-4
def test_setting_the_value_the_record_has_is_a_no_op_so_a_rerun_is_harmless(deal):
    run(SET, deal, "deal", property="dealstage", value="closedwon")
    entries = Entry.objects.for_object("deal", deal.pk).count()
    modified = Deal.objects.get(pk=deal.pk).updated_at

    again = run(SET, deal, "deal", property="dealstage", value="closedwon")

    assert again["changed"] is False
    assert again["summary"] == "Deal stage is already Closed won; nothing was changed."
    assert Entry.objects.for_object("deal", deal.pk).count() == entries
    assert Deal.objects.get(pk=deal.pk).updated_at == modified


def test_a_value_the_service_normalizes_to_the_current_one_changes_nothing(deal):
    result = run(SET, deal, "deal", property="deal_currency_code", value="usd")

    assert result["changed"] is False
    assert changes_by_workflow("deal", deal, "deal_currency_code") == []


def test_an_empty_value_clears_the_property(deal):
    run(SET, deal, "deal", property="closedate", value="2025-06-30")

    result = run(SET, deal, "deal", property="closedate", value="")

    assert result["old"] == "2025-06-30"
    assert result["new"] is None
    deal.refresh_from_db()
    assert deal.close_date is None


@pytest.mark.parametrize(
    ("fixture", "object_type", "prop", "value", "attribute"),
    [
        ("contact", "contact", "phone", "+47 22 33 44 55", "phone"),
        ("company", "company", "country", "Norway", "country"),
        ("quote", "quote", "hs_expiration_date", "2030-01-31", "expiration_date"),
        ("draft_invoice", "invoice", "hs_purchase_order_number", "PO-77", "purchase_order_number"),
    ],
)
def test_set_property_writes_each_type_through_its_service(
    request, fixture, object_type, prop, value, attribute
):
    record = request.getfixturevalue(fixture)

    result = run(SET, record, object_type, property=prop, value=value)

    assert result["changed"] is True
    record.refresh_from_db()
    assert str(getattr(record, attribute)) == value
    [entry] = changes_by_workflow(object_type, record, prop)
    assert entry.new_value == value


# SPEC WF-4
def test_a_finalized_invoice_is_refused_while_editing_is_off_with_the_reason(open_invoice):
    with pytest.raises(ActionError) as refused:
        run(SET, open_invoice, "invoice", property="hs_comments", value="Thanks!")

    assert refused.value.message == (
        "Editing finalized invoices is turned off. A super admin can turn on "
        "'Allow editing finalized invoices' in the settings."
    )
    assert refused.value.retryable is False
    assert Invoice.objects.get(pk=open_invoice.pk).comments == ""


def test_a_finalized_invoice_is_edited_when_the_settings_allow(open_invoice, editing_on):
    run(SET, open_invoice, "invoice", property="hs_comments", value="Thanks!")

    assert Invoice.objects.get(pk=open_invoice.pk).comments == "Thanks!"
    edited = Entry.objects.for_object("invoice", open_invoice.pk).get(
        event_type="invoice.edited_after_finalization"
    )
    assert edited.actor_kind == "workflow"


def test_a_workflow_sets_the_amount_of_a_deal_without_line_items(system):
    deal = sales.create_deal(actor=system, dealname="Hand-priced")

    result = run(SET, deal, "deal", property="amount", value="1500")

    assert result["summary"] == "Amount: (empty) → 1,500.00 USD"
    assert Deal.objects.get(pk=deal.pk).amount == 1500


def test_a_workflow_cannot_set_an_amount_that_contradicts_the_line_items(deal):
    with pytest.raises(ActionError, match=r"its amount is their total \(435.00 USD\)"):
        run(SET, deal, "deal", property="amount", value="5")

    assert Deal.objects.get(pk=deal.pk).amount == 435


def test_an_archived_record_is_refused_with_the_services_reason(deal, system):
    sales.archive_deal(deal, actor=system)

    with pytest.raises(ActionError, match="is archived, so it cannot be changed. Restore it"):
        run(SET, deal, "deal", property="dealstage", value="closedwon")


def test_a_value_the_model_refuses_is_refused_in_words(contact):
    with pytest.raises(ActionError, match="Phone number: Ensure this value has at most 50"):
        run(SET, contact, "contact", property="phone", value="x" * 60)


@pytest.mark.parametrize(
    ("object_type", "config", "problem"),
    [
        ("deal", {"value": "x"}, "“Set a property”: Property is required."),
        ("deal", {"property": "colour", "value": "x"}, "'colour' is not a deal property."),
        ("deal", {"property": "hs_object_id", "value": "5"}, "Record ID (hs_object_id) is set by"),
        ("invoice", {"property": "hs_number", "value": "7"}, "Invoice number (hs_number) is set"),
        ("invoice", {"property": "hubspot_owner_id", "value": "1"}, "Invoice owner"),
        ("deal", {"property": "dealstage", "value": "won"}, "'won' is not a valid Deal stage"),
        ("deal", {"property": "closedate", "value": "30.06.2025"}, "not a valid date"),
        ("deal", {"property": "dealname", "value": ""}, "Deal name cannot be empty."),
        ("contact", {"property": "email", "value": "ada@"}, "Email: Enter a valid email"),
        ("payment", {"property": "hs_reference_number", "value": "x"}, "cannot run on payment"),
    ],
)
def test_set_property_problems_name_what_to_fix(object_type, config, problem):
    problems = SET.problems(object_type, config)

    assert len(problems) == 1
    assert problem in problems[0]


def test_a_good_configuration_has_no_problems():
    assert SET.problems("deal", {"property": "dealstage", "value": "closedwon"}) == []
    assert SET.problems("contact", {"property": "phone", "value": ""}) == []
    assert SET.problems("invoice", {"property": "hs_due_date", "value": "2030-01-01"}) == []


# --- Copy a property from an associated record ---------------------------------------------------


# SPEC WF-4
def test_copy_a_company_property_onto_the_deal(deal, company):
    result = run(
        COPY,
        deal,
        "deal",
        from_association="company",
        source_property="name",
        target_property="dealname",
    )

    assert result["changed"] is True
    assert result["new"] == "Analytical Engines Ltd"
    assert result["summary"] == "Deal name: Difference engine → Analytical Engines Ltd"
    assert result["from"] == {"object_type": "company", "id": company.pk, "name": company.name}
    [entry] = changes_by_workflow("deal", deal, "dealname")
    assert entry.new_value == "Analytical Engines Ltd"


def test_copy_runs_again_without_changing_anything(deal):
    config = {"from_association": "company", "source_property": "name"}
    run(COPY, deal, "deal", target_property="dealname", **config)

    again = run(COPY, deal, "deal", target_property="dealname", **config)

    assert again["changed"] is False
    assert len(changes_by_workflow("deal", deal, "dealname")) == 1


def test_copy_takes_the_first_contact_in_association_order(system, company):
    nobody = crm.create_contact(actor=system, firstname="Charles", email="charles@example.com")
    ada = crm.create_contact(actor=system, firstname="Ada", email="ada@example.com")
    deal = sales.create_deal(actor=system, dealname="Engine", contacts=[nobody, ada])

    run(
        COPY,
        deal,
        "deal",
        from_association="contact",
        source_property="firstname",
        target_property="dealname",
    )

    assert Deal.objects.get(pk=deal.pk).name == "Charles"


def test_copy_a_date_from_the_deal_onto_its_quote(system, deal, quote):
    sales.update_deal(deal, actor=system, values={"closedate": "2030-03-31"})

    run(
        COPY,
        quote,
        "quote",
        from_association="deal",
        source_property="closedate",
        target_property="hs_expiration_date",
    )

    assert str(Quote.objects.get(pk=quote.pk).expiration_date) == "2030-03-31"


def test_copy_an_option_into_a_text_property_writes_its_value(system, deal, quote):
    run(
        COPY,
        quote,
        "quote",
        from_association="deal",
        source_property="dealstage",
        target_property="hs_title",
    )

    assert Quote.objects.get(pk=quote.pk).title == "appointmentscheduled"


def test_copy_onto_an_invoice_from_its_deal(system, deal, make_invoice):
    invoice = make_invoice(deal=deal)

    result = run(
        COPY,
        invoice,
        "invoice",
        from_association="deal",
        source_property="dealname",
        target_property="hs_purchase_order_number",
    )

    assert result["new"] == "Difference engine"
    assert Invoice.objects.get(pk=invoice.pk).purchase_order_number == "Difference engine"
    [entry] = changes_by_workflow("invoice", invoice, "hs_purchase_order_number")
    assert entry.actor_label == WORKFLOW


def test_copy_onto_a_contact_from_its_company(system, contact, company):
    crm.update_company(company, actor=system, values={"country": "Norway"})
    crm.associate_contact_with_company(contact, company, actor=system)

    run(
        COPY,
        contact,
        "contact",
        from_association="company",
        source_property="country",
        target_property="country",
    )

    contact.refresh_from_db()
    assert contact.country == "Norway"


# SPEC WF-4
def test_copy_without_the_associated_record_is_refused_in_words(system, contact):
    deal = sales.create_deal(actor=system, dealname="Lonely", contacts=[contact])

    with pytest.raises(ActionError) as refused:
        run(
            COPY,
            deal,
            "deal",
            from_association="company",
            source_property="name",
            target_property="dealname",
        )

    assert refused.value.message == (
        "The deal has no associated company to copy Company name from."
    )
    assert refused.value.retryable is False


def test_copy_onto_a_finalized_invoice_surfaces_the_invoice_rule(deal, make_invoice):
    invoice = make_invoice(deal=deal, finalized=True)

    with pytest.raises(ActionError, match="Editing finalized invoices is turned off"):
        run(
            COPY,
            invoice,
            "invoice",
            from_association="deal",
            source_property="dealname",
            target_property="hs_comments",
        )


@pytest.mark.parametrize(
    ("object_type", "config", "problem"),
    [
        (
            "deal",
            {"from_association": "quote", "source_property": "hs_title"},
            "a deal has no associated quote to copy from. Copy from its contact or company.",
        ),
        (
            "deal",
            {"from_association": "company", "source_property": "colour"},
            "'colour' is not a company property.",
        ),
        (
            "deal",
            {"from_association": "company", "source_property": "name", "target": "closedate"},
            "Company name is a string and Close date is a date, so one cannot be copied",
        ),
        (
            "quote",
            {"from_association": "deal", "source_property": "dealstage", "target": "hs_status"},
            "Quote status has no option for Appointment scheduled",
        ),
        (
            "deal",
            {"from_association": "company", "source_property": "name", "target": "hs_object_id"},
            "Record ID (hs_object_id) is set by Faktura and cannot be changed by a workflow.",
        ),
        (
            "invoice",
            {"from_association": "deal", "source_property": "dealname", "target": "hs_number"},
            "Invoice number (hs_number) is set by Faktura",
        ),
        (
            "payment",
            {
                "from_association": "contact",
                "source_property": "email",
                "target": "hs_reference_number",
            },
            "cannot run on payment records",
        ),
        (
            "deal",
            {"from_association": "invoice", "source_property": "hs_number"},
            "Copy from must be one of contact, company, deal, quote.",
        ),
    ],
)
def test_copy_property_problems_name_what_to_fix(object_type, config, problem):
    config = {"target_property": config.pop("target", "dealname"), **config}
    if object_type == "quote" and config["target_property"] == "dealname":
        config["target_property"] = "hs_title"

    problems = COPY.problems(object_type, config)

    assert len(problems) == 1, problems
    assert problem in problems[0]


def test_copy_property_accepts_compatible_properties():
    assert (
        COPY.problems(
            "invoice",
            {
                "from_association": "contact",
                "source_property": "email",
                "target_property": "hs_comments",
            },
        )
        == []
    )
    assert (
        COPY.problems(
            "quote",
            {
                "from_association": "deal",
                "source_property": "closedate",
                "target_property": "hs_expiration_date",
            },
        )
        == []
    )


def test_payments_are_not_offered_for_writing():
    # The payments app has no service that edits a payment's properties.
    assert not SET.applies_to("payment")
    assert not COPY.applies_to("payment")


# --- in a running workflow -----------------------------------------------------------------------


# SPEC WF-4
def test_a_live_workflow_logs_what_the_step_set_and_what_it_refused(
    live_workflow, system, deal, make_invoice, django_capture_on_commit_callbacks
):
    live_workflow(
        "deal",
        [
            {
                "id": "s1",
                "type": "set_property",
                "config": {"property": "closedate", "value": "2030-12-31"},
            }
        ],
        filters=where("dealstage", "any_of", "closedwon"),
        name="Close won deals",
    )
    live_workflow(
        "invoice",
        [
            {
                "id": "s1",
                "type": "copy_property",
                "config": {
                    "from_association": "deal",
                    "source_property": "dealname",
                    "target_property": "hs_comments",
                },
            }
        ],
        events=[{"event": "invoice_finalized"}],
        name="Note the deal",
    )
    won = sales.create_deal(actor=system, dealname="Engine", dealstage="closedwon")
    invoice = make_invoice(deal=deal, finalized=True)

    with django_capture_on_commit_callbacks(execute=True):
        read_feed()

    set_step = StepRun.objects.get(enrollment__object_type="deal", enrollment__object_id=won.pk)
    assert set_step.status == StepStatus.SUCCEEDED
    assert set_step.result["summary"] == "Close date: (empty) → Dec 31, 2030"
    [entry] = changes_by_workflow("deal", won, "closedate")
    assert entry.actor_label == "Workflow “Close won deals”"
    copy_step = StepRun.objects.get(enrollment__object_type="invoice")
    assert copy_step.status == StepStatus.FAILED
    assert copy_step.error == (
        "Editing finalized invoices is turned off. A super admin can turn on "
        "'Allow editing finalized invoices' in the settings."
    )
    assert Invoice.objects.get(pk=invoice.pk).comments == ""
