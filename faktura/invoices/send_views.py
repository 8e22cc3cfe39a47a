"""The Send dialog (INV-18, INV-28): who the invoice goes to, from which address, with what
message. Sending itself is `sending.send_invoice`."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.properties import unarchived
from faktura.core.web import redirect_after_post, render_dialog
from faktura.crm.models import Contact
from faktura.emails.addresses import split_addresses
from faktura.emails.composing import link_text
from faktura.invoices import rules, sending
from faktura.invoices.access import dialog_status, editing_actor, invoice_or_404
from faktura.invoices.changes import ProposedMessage, proposed_message
from faktura.invoices.forms import SendInvoiceForm
from faktura.invoices.models import Invoice
from faktura.invoices.property_values import public_url

# The To and CC boxes suggest the invoice's own contacts first, then others, this many.
SUGGESTED_CONTACTS = 50


def _suggestions(invoice: Invoice) -> list[Contact]:
    """The invoice's contacts, then their companies' people, then others with an address."""
    chosen = [c for c in invoice.contacts_in_order() if c.email]
    with_email = unarchived(Contact.objects.exclude(email="")).exclude(
        pk__in=[c.pk for c in chosen]
    )
    colleagues = list(
        with_email.filter(companies__in=invoice.companies.all()).distinct()[:SUGGESTED_CONTACTS]
    )
    others = with_email.exclude(pk__in=[c.pk for c in colleagues]).order_by(
        "first_name", "last_name", "id"
    )[: SUGGESTED_CONTACTS - len(colleagues)]
    return [*chosen, *colleagues, *others]


def _write_manually(invoice: Invoice) -> tuple[str, str] | None:
    """INV-29: a one-to-one email from the invoice's deal (else its billing contact) whose
    message holds the invoice link; (where it is written, what the link says about it)."""
    link = public_url(invoice)
    record = invoice.deal or sending.default_recipient(invoice)
    if link is None or record is None:
        return None
    kind = "deals" if invoice.deal else "contacts"
    url = reverse("emails:compose", args=[kind, record.pk])
    body = urlencode({"body": link_text(invoice.number or "", link)})
    return f"{url}?{body}", f"on the deal {record}" if invoice.deal else f"to {record}"


def _form(
    invoice: Invoice, actor: Actor, data: object = None, update: ProposedMessage | None = None
) -> SendInvoiceForm:
    """Prefilled with the invoice email, or with the message about an edit (INV-7)."""
    choices = [(c.address, f"{c.label} · {c.address}") for c in sending.from_addresses(actor)]
    recipient = sending.default_recipient(invoice)
    initial = {
        "to": recipient.email if recipient else "",
        "from_address": choices[0][0] if choices else "",
        "subject": sending.default_subject(invoice),
        "message": sending.default_message(invoice),
    }
    if update is not None:
        initial |= {"to": update.to, "cc": ", ".join(update.cc)}
        initial |= {"subject": update.subject, "message": update.body}
    return SendInvoiceForm(data, initial=initial, from_choices=choices)


def _dialog(
    request: HttpRequest, invoice: Invoice, form: SendInvoiceForm, error: str = ""
) -> HttpResponse:
    actor = editing_actor(request)
    decision = rules.can_send(invoice, actor)
    context = {
        "invoice": invoice,
        "form": form,
        "error": error,
        "refusal": "" if decision else decision.reason,
        "contacts": _suggestions(invoice),
        "action": reverse("invoices:send", args=[invoice.pk]),
        "manual": _write_manually(invoice),
    }
    return render_dialog(
        request,
        f"Send invoice {invoice.number}",
        "invoices/send.html",
        context,
        dialog_status(request, error),
    )


@login_required
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    invoice = invoice_or_404(pk)
    if request.method == "GET":
        edit = request.GET.get("edit", "")
        update = proposed_message(invoice, int(edit)) if edit.isdigit() else None
        return _dialog(request, invoice, _form(invoice, actor, update=update))
    form = _form(invoice, actor, request.POST)
    if not form.is_valid():
        return _dialog(request, invoice, form, "Please correct the fields marked below.")
    data = form.cleaned_data
    try:
        email = sending.send_invoice(
            invoice,
            actor=actor,
            to=data["to"],
            cc=split_addresses(data["cc"]),
            from_address=data["from_address"],
            subject=data["subject"],
            message=data["message"],
        )
    except RuleViolation as refusal:
        return _dialog(request, invoice, form, refusal.reason)
    messages.success(
        request,
        f"Invoice {invoice.number} is on its way to {', '.join(email.to)}. Its last sent date "
        "is set when the mail server accepts the email.",
    )
    return redirect_after_post(request, invoice.get_absolute_url())
