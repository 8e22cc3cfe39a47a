"""Faktura's own endpoints under /faktura/v1 (what HubSpot's API cannot do) and the invoice rules
the API passes on: each answer is the service's, refusals are 400 with the rule's reason."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from faktura.api.tests.conftest import ApiClient
from faktura.emails.models import OutboundEmail
from faktura.invoices.models import Invoice, InvoiceStatus

pytestmark = pytest.mark.django_db

V1 = "/faktura/v1"
V3 = "/crm/v3/objects"


def pay(api: ApiClient, invoice: Invoice, amount: str, **more: str):
    return api.post(f"{V1}/invoices/{invoice.pk}/payments", {"amount": amount, **more})


# SPEC INV-11
def test_recording_payments_moves_the_invoice_to_partially_paid_then_paid(api, open_invoice):
    first = pay(api, open_invoice, "100.00", reference="WIRE-1", paidOn="2026-11-20")
    assert first.status_code == 201, first.json()
    assert first.json()["properties"]["hs_initial_amount"] == "100"
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == Decimal("100.00")
    assert open_invoice.status == InvoiceStatus.OPEN

    assert pay(api, open_invoice, "150.00").status_code == 201
    shown = api.get(
        f"{V3}/invoices/{open_invoice.pk}", properties="hs_balance_due,hs_invoice_status"
    )
    assert shown.json()["properties"] == {
        **shown.json()["properties"],
        "hs_invoice_status": "paid",
        "hs_balance_due": "0",
    }


# SPEC INV-11
def test_a_payment_the_invoice_cannot_take_is_refused_with_the_reason(
    api, open_invoice, make_invoice
):
    over = pay(api, open_invoice, "300.00")
    assert over.status_code == 400
    assert over.json()["category"] == "VALIDATION_ERROR"
    assert "250" in over.json()["message"]

    draft = make_invoice(finalized=False)
    on_draft = pay(api, draft, "10.00")
    assert on_draft.status_code == 400
    assert "Finalize" in on_draft.json()["message"]
    assert Invoice.objects.get(pk=open_invoice.pk).amount_paid == 0


# SPEC INV-23
def test_voiding_with_a_manual_payment_is_refused_until_the_payment_is_gone(api, open_invoice):
    pay(api, open_invoice, "50.00")
    for attempt in (
        api.post(f"{V1}/invoices/{open_invoice.pk}/void", {}),
        api.patch(
            f"{V3}/invoices/{open_invoice.pk}", {"properties": {"hs_invoice_status": "voided"}}
        ),
    ):
        assert attempt.status_code == 400
        assert "has a manual payment of 50.00 USD" in attempt.json()["message"]
    assert Invoice.objects.get(pk=open_invoice.pk).status == InvoiceStatus.OPEN


# SPEC INV-23
def test_void_answers_with_the_voided_invoice(api, open_invoice):
    voided = api.post(f"{V1}/invoices/{open_invoice.pk}/void", {})
    assert voided.status_code == 200
    shown = voided.json()["properties"]
    assert (shown["hs_number"], shown["hs_invoice_status"]) == (open_invoice.number, "voided")
    again = api.post(f"{V1}/invoices/{open_invoice.pk}/void", {})
    assert again.status_code == 400
    assert "already voided" in again.json()["message"]


# SPEC INV-6
def test_an_invoice_with_a_payment_cannot_be_edited(api, open_invoice, editing_on):
    pay(api, open_invoice, "50.00")
    edit = api.patch(
        f"{V3}/invoices/{open_invoice.pk}", {"properties": {"hs_purchase_order_number": "PO-7"}}
    )
    assert edit.status_code == 400
    assert "has 1 payment on it and cannot be edited" in edit.json()["message"]


# SPEC INV-20
def test_clone_makes_a_new_draft_with_the_same_lines(api, open_invoice):
    cloned = api.post(f"{V1}/invoices/{open_invoice.pk}/clone", {})
    assert cloned.status_code == 201
    assert cloned.json()["properties"]["hs_invoice_status"] == "draft"
    copy = Invoice.objects.get(pk=cloned.json()["id"])
    assert copy.status == InvoiceStatus.DRAFT
    assert copy.total == open_invoice.total
    assert [line.name for line in copy.lines.all()] == [
        line.name for line in open_invoice.lines.all()
    ]


# SPEC INV-19
def test_pdf_is_the_invoice_as_a_pdf_file(api, open_invoice):
    response = api.get(f"{V1}/invoices/{open_invoice.pk}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{open_invoice.number}' in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert open_invoice.number in text


# SPEC INV-28
def test_send_emails_the_invoice_to_its_contact_from_the_default_address(
    api, open_invoice, account, smtp_server, django_capture_on_commit_callbacks
):
    account(default_from_email="billing@nordlys.example")
    with django_capture_on_commit_callbacks(execute=True):
        sent = api.post(f"{V1}/invoices/{open_invoice.pk}/send", {"cc": ["grace@example.com"]})

    assert sent.status_code == 202, sent.json()
    assert sent.json()["to"] == ["ada@example.com"]
    assert sent.json()["fromAddress"] == "billing@nordlys.example"
    [message] = smtp_server.messages
    assert message["Cc"] == "grace@example.com"
    assert message["Subject"] == f"Invoice {open_invoice.number} from My Company"
    assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]


# SPEC INV-28
@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ({"cc": [f"cc{n}@example.com" for n in range(10)]}, "at most 9"),
        ({"fromAddress": "someone@elsewhere.example"}, "someone@elsewhere.example"),
    ],
)
def test_send_refuses_what_the_send_dialog_refuses(api, open_invoice, account, body, phrase):
    account(default_from_email="billing@nordlys.example")
    refused = api.post(f"{V1}/invoices/{open_invoice.pk}/send", body)
    assert refused.status_code == 400
    assert phrase in refused.json()["message"]
    assert not OutboundEmail.objects.exists()


def test_a_draft_is_not_sent(api, make_invoice, account):
    account(default_from_email="billing@nordlys.example")
    refused = api.post(f"{V1}/invoices/{make_invoice(finalized=False).pk}/send", {})
    assert refused.status_code == 400
    assert refused.json()["message"] == "Finalize the invoice to send it."


# SPEC INV-16
def test_history_lists_changes_and_events_newest_first_with_their_source(api, make_invoice):
    draft = make_invoice(finalized=False)
    api.patch(f"{V3}/invoices/{draft.pk}", {"properties": {"hs_invoice_status": "open"}})

    history = api.get(f"{V1}/objects/invoices/{draft.pk}/history")
    assert history.status_code == 200
    entries = history.json()["results"]
    status_change = next(e for e in entries if e["property"] == "hs_invoice_status")
    assert (status_change["oldValue"], status_change["newValue"]) == ("draft", "open")
    assert status_change["sourceType"] == "API"
    moments = [e["timestamp"] for e in entries]
    assert moments == sorted(moments, reverse=True)


def test_extensions_need_the_invoices_scopes(client, token_for, open_invoice):
    reader = ApiClient(client, token_for("crm.objects.invoices.read"))
    assert reader.get(f"{V1}/invoices/{open_invoice.pk}/pdf").status_code == 200
    refused = pay(reader, open_invoice, "10.00")
    assert refused.status_code == 403
    assert refused.json()["category"] == "MISSING_SCOPES"
    assert "crm.objects.invoices.write" in refused.json()["message"]


def test_over_the_rate_limit_the_answer_is_429_with_retry_after(client, token_for, settings):
    settings.FAKTURA_API_RATE_LIMIT = "3/10"
    api = ApiClient(client, token_for())
    answers = [api.get(f"{V3}/contacts") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1]["Retry-After"]) <= 10
    assert answers[-1].json()["category"] == "RATE_LIMITS"
