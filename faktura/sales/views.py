"""Product, deal and quote pages: create, edit, archive and restore, the record page and their
associations.

The index pages (/products/, /deals/, /quotes/) are the listings app's; invoices are created
from a deal or quote by the invoices app (`invoices:from_deal`, `invoices:from_quote`).
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faktura.accounts.services import get_account_settings
from faktura.core.errors import RuleViolation
from faktura.core.property_forms import PropertyForm
from faktura.crm.models import Company, Contact
from faktura.crm.record_views import (
    association_dialog,
    editing_actor,
    property_form_page,
    record_context,
)
from faktura.crm.record_views import remove_association as remove_record
from faktura.sales import services
from faktura.sales.forms import NewDocumentForm, deal_form, product_form, quote_form
from faktura.sales.line_forms import line_formset, with_added_line
from faktura.sales.models import Deal, Product, Quote
from faktura.sales.pricing import totals

# --- products --------------------------------------------------------------------------------


@login_required
@require_GET
def product_page(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    context = record_context(
        request,
        product,
        index=("Products", "/products/"),
        edit_url=reverse("sales:product_edit", args=[product.pk]),
    )
    return render(request, "sales/product.html", {**context, "product": product})


@login_required
@require_http_methods(["GET", "POST"])
def new_product(request: HttpRequest) -> HttpResponse:
    actor = editing_actor(request)
    return property_form_page(
        request,
        product_form(request.POST or None),
        lambda values: services.create_product(actor=actor, **values),
        template="crm/record_form.html",
        context={
            "title": "New product",
            "index": ("Products", "/products/"),
            "cancel": "/products/",
        },
        saved="Product {record} created.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_product(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    product = get_object_or_404(Product, pk=pk)
    return property_form_page(
        request,
        product_form(request.POST or None, product),
        lambda values: services.update_product(product, actor=actor, values=values),
        template="crm/record_form.html",
        context={
            "title": f"Edit {product}",
            "index": ("Products", "/products/"),
            "record": product,
            "cancel": product.get_absolute_url(),
        },
        saved="Product {record} saved.",
    )


# --- deals and quotes: one page shape -------------------------------------------------------

Document = Deal | Quote
# What each association of a deal or quote adds and removes with.
_ASSOCIATIONS: dict[tuple[type[Document], str], tuple[Callable[..., None], Callable[..., None]]] = {
    (Deal, "contact"): (services.add_deal_contact, services.remove_deal_contact),
    (Deal, "company"): (services.add_deal_company, services.remove_deal_company),
    (Quote, "contact"): (services.add_quote_contact, services.remove_quote_contact),
    (Quote, "company"): (services.add_quote_company, services.remove_quote_company),
}


def _kind(document: Document) -> str:
    return "deal" if isinstance(document, Deal) else "quote"


def _document_or_404(model: type[Document], pk: int) -> Document:
    return get_object_or_404(Deal, pk=pk) if model is Deal else get_object_or_404(Quote, pk=pk)


def _index(kind: str) -> tuple[str, str]:
    return f"{kind.capitalize()}s", f"/{kind}s/"


def _document_context(request: HttpRequest, document: Document) -> dict[str, Any]:
    kind = _kind(document)
    lines = list(document.line_items.all())
    context = record_context(
        request,
        document,
        index=_index(kind),
        edit_url=reverse(f"sales:{kind}_edit", args=[document.pk]),
    )
    return context | {
        "kind": kind,
        "document": document,
        "lines": [(line, line.amounts(document.currency)) for line in lines],
        "totals": totals(line.amounts(document.currency) for line in lines),
        "contacts": document.contacts_in_order(),
        "companies": document.companies.order_by("name", "id"),
        "invoices": document.invoices.order_by("-created_at", "-id"),
    }


def _document_form_page(
    request: HttpRequest,
    make_form: Callable[[Any], PropertyForm],
    document: Document | None,
    save: Callable[[PropertyForm, list[dict[str, Any]]], Document],
    *,
    kind: str,
    stored_lines: Any = (),
) -> HttpResponse:
    """A deal or quote form: its properties and its line items, saved all or nothing."""
    data = request.POST if request.method == "POST" else None
    adding_line = data is not None and "add_line" in data
    if adding_line:
        data = with_added_line(data)
    form, lines = make_form(data), line_formset(data, stored=stored_lines)
    error = ""
    if data is not None and not adding_line and form.is_valid() and lines.is_valid():
        try:
            saved = save(form, lines.line_inputs())
        except RuleViolation as refusal:
            error = refusal.reason
        else:
            done = "saved" if document else "created"
            messages.success(request, f"{kind.capitalize()} {saved} {done}.")
            return redirect(saved.get_absolute_url())
    index = _index(kind)
    context = {
        "form": form,
        "lines": lines,
        "record": document,
        "kind": kind,
        "title": f"Edit {document}" if document else f"New {kind}",
        "index": index,
        "cancel": document.get_absolute_url() if document else index[1],
        "error": error,
    }
    refused = data is not None and not adding_line and bool(error or form.errors or lines.errors)
    return render(request, "sales/document_form.html", context, status=400 if refused else 200)


def _new_document_initial(request: HttpRequest, currency_property: str) -> dict[str, Any]:
    """A new deal or quote in the account's currency, for the contact or company it came from."""
    initial: dict[str, Any] = {currency_property: get_account_settings().default_currency}
    for name in ("contact", "company"):
        if (pk := request.GET.get(name, "")).isdigit():
            initial[name] = pk
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def add_association(
    request: HttpRequest, pk: int, model: type[Document], kind: str
) -> HttpResponse:
    actor = editing_actor(request)
    document = _document_or_404(model, pk)
    add, _ = _ASSOCIATIONS[model, kind]
    present = document.contacts.all() if kind == "contact" else document.companies.all()
    return association_dialog(
        request,
        parent=document,
        kind="contact" if kind == "contact" else "company",
        present=present,
        add=lambda record: add(document, record, actor=actor),
        action=request.path,
    )


@login_required
@require_POST
def remove_association(
    request: HttpRequest, pk: int, record_id: int, model: type[Document], kind: str
) -> HttpResponse:
    actor = editing_actor(request)
    document = _document_or_404(model, pk)
    record = get_object_or_404(Contact if kind == "contact" else Company, pk=record_id)
    _, remove = _ASSOCIATIONS[model, kind]
    return remove_record(request, document, record, lambda: remove(document, record, actor=actor))


# --- deals -----------------------------------------------------------------------------------


@login_required
@require_GET
def deal_page(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_object_or_404(Deal, pk=pk)
    context = _document_context(request, deal)
    context["quotes"] = deal.quotes.order_by("-created_at", "-id")
    return render(request, "sales/deal.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new_deal(request: HttpRequest) -> HttpResponse:
    actor = editing_actor(request)
    initial = _new_document_initial(request, "deal_currency_code")

    def save(form: PropertyForm, lines: list[dict[str, Any]]) -> Deal:
        assert isinstance(form, NewDocumentForm)
        return services.create_deal(
            actor=actor, lines=lines, **form.associations(), **form.values()
        )

    return _document_form_page(
        request, lambda data: deal_form(data, initial=initial), None, save, kind="deal"
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_deal(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    deal = get_object_or_404(Deal, pk=pk)

    def save(form: PropertyForm, lines: list[dict[str, Any]]) -> Deal:
        return services.update_deal(deal, actor=actor, values=form.values(), lines=lines)

    return _document_form_page(
        request,
        lambda data: deal_form(data, deal),
        deal,
        save,
        kind="deal",
        stored_lines=deal.line_items.all(),
    )


# --- quotes ----------------------------------------------------------------------------------


@login_required
@require_GET
def quote_page(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(Quote, pk=pk)
    return render(request, "sales/quote.html", _document_context(request, quote))


@login_required
@require_http_methods(["GET", "POST"])
def new_quote(request: HttpRequest) -> HttpResponse:
    """A new quote; from a deal (`?deal=<id>`) it starts with the deal's name, currency, lines,
    contacts and companies."""
    actor = editing_actor(request)
    deal_id = request.GET.get("deal", "")
    deal = get_object_or_404(Deal, pk=deal_id) if deal_id else None
    initial = _new_document_initial(request, "hs_currency")
    if deal is not None:
        initial |= {"hs_title": deal.name, "hs_currency": deal.currency}

    def save(form: PropertyForm, lines: list[dict[str, Any]]) -> Quote:
        assert isinstance(form, NewDocumentForm)
        return services.create_quote(
            actor=actor, deal=deal, lines=lines, **form.associations(), **form.values()
        )

    return _document_form_page(
        request,
        lambda data: quote_form(data, initial=initial),
        None,
        save,
        kind="quote",
        stored_lines=deal.line_items.all() if deal else (),
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_quote(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    quote = get_object_or_404(Quote, pk=pk)

    def save(form: PropertyForm, lines: list[dict[str, Any]]) -> Quote:
        return services.update_quote(quote, actor=actor, values=form.values(), lines=lines)

    return _document_form_page(
        request,
        lambda data: quote_form(data, quote),
        quote,
        save,
        kind="quote",
        stored_lines=quote.line_items.all(),
    )
