"""The "QuickBooks" card on deal, quote and payment pages: the documents Faktura created in
QuickBooks for the record (QB-1, QB-9…QB-11), each with a link to open it there. Registered
into core's record panels when the app is ready."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string

from faktura.accounts.services import user_locale
from faktura.core.locales import format_day, format_money_for_people
from faktura.core.record_panels import RecordPanel, record_panels
from faktura.quickbooks.documents import documents_for
from faktura.quickbooks.links import document_url


def quickbooks_panel(request: HttpRequest, record: models.Model) -> str:
    found = documents_for(record)
    if not found:
        return ""
    locale = user_locale(request.user)
    rows = [
        {
            "document": document,
            # As every amount on a staff page: the person's locale and the currency's code.
            "amount": format_money_for_people(document.total, document.currency)
            if document.currency
            else document.total,
            "created": format_day(document.created_at, locale),
            "url": document_url(document),
        }
        for document in found
    ]
    return render_to_string("quickbooks/_record_panel.html", {"rows": rows}, request=request)


def register() -> None:
    record_panels.register("quickbooks", RecordPanel("quickbooks", quickbooks_panel))
