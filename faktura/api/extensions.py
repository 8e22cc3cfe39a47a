"""/faktura/v1: what HubSpot's API cannot do — record a payment on an invoice, send it by email
(INV-28), get its PDF, clone, void — and any record's history. Same tokens, scopes and error
body as the HubSpot-shaped endpoints; every action is one service call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from faktura.api import wire
from faktura.api.adapters import adapter_for
from faktura.api.errors import ApiError
from faktura.api.objects.records import (
    ERRORS,
    caller,
    checked_adapter,
    find_record,
    records_out,
    run_service,
)
from faktura.api.schemas import PublicObject
from faktura.core.actors import ActorKind
from faktura.history.models import Entry
from faktura.invoices import invoice_payments, sending
from faktura.invoices import services as invoices
from faktura.invoices.documents import invoice_pdf
from faktura.invoices.models import Invoice
from faktura.payments.models import PaymentMethod


class PaymentIn(Schema):
    amount: Decimal
    paidOn: dt.date | None = None
    method: str = PaymentMethod.WIRE_TRANSFER
    reference: str = ""
    note: str = ""


class SendIn(Schema):
    to: str | None = None
    cc: list[str] = []
    fromAddress: str | None = None
    subject: str | None = None
    message: str | None = None


class SentOut(Schema):
    emailId: str
    status: str
    to: list[str]
    cc: list[str]
    fromAddress: str


class HistoryEntry(Schema):
    kind: str
    property: str | None = None
    oldValue: str | None = None
    newValue: str | None = None
    event: str | None = None
    data: dict[str, Any] = {}
    sourceType: str
    sourceLabel: str | None = None
    updatedByUserId: int | None = None
    timestamp: dt.datetime


class HistoryOut(Schema):
    results: list[HistoryEntry]


def _invoice(request: HttpRequest, invoice_id: str, *, write: bool) -> Invoice:
    adapter = checked_adapter(request, "invoices", write=write)
    return find_record(adapter, invoice_id)


# What Faktura's own invoice endpoints answer with: HubSpot's invoice defaults are ids and dates.
INVOICE_SUMMARY = (
    "hs_number",
    "hs_invoice_status",
    "hs_currency",
    "hs_amount_billed",
    "hs_balance_due",
)


def _invoice_out(invoice: Invoice) -> dict[str, Any]:
    adapter = _adapter_or_fail("invoices")
    fresh = Invoice.objects.get(pk=invoice.pk)
    return records_out(adapter, [fresh], INVOICE_SUMMARY)[0]


def _adapter_or_fail(name: str) -> Any:
    adapter = adapter_for(name)
    assert adapter is not None
    return adapter


def build_router() -> Router:
    router = Router(tags=["Faktura"])

    @router.post("/invoices/{invoice_id}/payments", response={201: PublicObject, **ERRORS})
    def record_payment(request: HttpRequest, invoice_id: str, body: PaymentIn) -> Any:
        """Record a manual payment and apply it to the invoice (HubSpot can only in its UI)."""
        invoice = _invoice(request, invoice_id, write=True)
        actor = caller(request).actor
        payment = run_service(
            invoice_payments.record_invoice_payment,
            invoice,
            actor=actor,
            amount=body.amount,
            paid_on=body.paidOn,
            method=body.method,
            reference=body.reference,
            note=body.note,
        )
        return Status(201, records_out(_adapter_or_fail("commerce_payments"), [payment], None)[0])

    @router.post("/invoices/{invoice_id}/send", response={202: SentOut, **ERRORS})
    def send(request: HttpRequest, invoice_id: str, body: SendIn) -> Any:
        """Email the invoice with its PDF (INV-28): To defaults to the billing contact, From to
        the first address the settings allow; delivery happens in the background."""
        invoice = _invoice(request, invoice_id, write=True)
        actor = caller(request).actor
        recipient = body.to or getattr(sending.default_recipient(invoice), "email", "")
        if not recipient:
            raise ApiError(
                400,
                "The invoice has no contact with an email address: pass `to`.",
                "VALIDATION_ERROR",
            )
        choices = sending.from_addresses(actor)
        sender = body.fromAddress or (choices[0].address if choices else "")
        email = run_service(
            sending.send_invoice,
            invoice,
            actor=actor,
            to=recipient,
            cc=body.cc,
            from_address=sender,
            subject=body.subject or sending.default_subject(invoice),
            message=body.message or sending.default_message(invoice),
        )
        return Status(
            202,
            {
                "emailId": str(email.pk),
                "status": email.status,
                "to": email.to,
                "cc": email.cc,
                "fromAddress": email.from_address,
            },
        )

    @router.get("/invoices/{invoice_id}/pdf", response={200: None, **ERRORS})
    def pdf(request: HttpRequest, invoice_id: str) -> Any:
        invoice = _invoice(request, invoice_id, write=False)
        filename, content = invoice_pdf(invoice)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @router.post("/invoices/{invoice_id}/clone", response={201: PublicObject, **ERRORS})
    def clone(request: HttpRequest, invoice_id: str) -> Any:
        invoice = _invoice(request, invoice_id, write=True)
        actor = caller(request).actor
        copy = run_service(invoices.clone_invoice, invoice, actor=actor)
        return Status(201, _invoice_out(copy))

    @router.post("/invoices/{invoice_id}/void", response={200: PublicObject, **ERRORS})
    def void(request: HttpRequest, invoice_id: str) -> Any:
        invoice = _invoice(request, invoice_id, write=True)
        actor = caller(request).actor
        return _invoice_out(run_service(invoices.void_invoice, invoice, actor=actor))

    @router.get("/objects/{object_type}/{object_id}/history", response={200: HistoryOut, **ERRORS})
    def history(request: HttpRequest, object_type: str, object_id: str, limit: int = 100) -> Any:
        """The record's edit log, newest first: property changes (old and new value) and events."""
        adapter = checked_adapter(request, object_type, write=False)
        obj = find_record(adapter, object_id)
        entries = Entry.objects.for_object(adapter.object_type.singular, obj.pk).order_by(
            "-at", "-id"
        )[: max(1, min(limit, 1000))]
        return {"results": [_entry(e) for e in entries]}

    return router


def _entry(entry: Entry) -> dict[str, Any]:
    change = entry.kind == Entry.Kind.CHANGE
    return {
        "kind": entry.kind,
        "property": entry.property if change else None,
        "oldValue": entry.old_value if change else None,
        "newValue": entry.new_value if change else None,
        "event": entry.event_type or None,
        "data": entry.data,
        "sourceType": wire.SOURCE_TYPES.get(ActorKind(entry.actor_kind), "UNKNOWN"),
        "sourceLabel": entry.actor_label or None,
        "updatedByUserId": entry.actor_user_id,
        "timestamp": wire.moment(entry.at),
    }
