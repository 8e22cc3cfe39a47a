"""Contact and company pages: create, edit, archive and restore, the record page, and their
associations.

The index pages (/contacts/, /companies/) are the listings app's.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from faktura.crm import services
from faktura.crm.forms import company_form, contact_form
from faktura.crm.models import Company, Contact
from faktura.crm.queries import OPTIONS_SHOWN, search_companies, search_contacts
from faktura.crm.record_views import (
    association_dialog,
    editing_actor,
    options_page,
    property_form_page,
    record_context,
    remove_association,
)

# --- contacts --------------------------------------------------------------------------------


@login_required
@require_GET
def contact_page(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk)
    context = record_context(
        request,
        contact,
        index=("Contacts", "/contacts/"),
        edit_url=reverse("crm:contact_edit", args=[contact.pk]),
    )
    context |= {
        "contact": contact,
        "companies": contact.companies.order_by("name", "id"),
        "deals": contact.deals.order_by("-created_at", "-id"),
        "quotes": contact.quotes.order_by("-created_at", "-id"),
    }
    return render(request, "crm/contact.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new_contact(request: HttpRequest) -> HttpResponse:
    actor = editing_actor(request)
    return property_form_page(
        request,
        contact_form(request.POST or None),
        lambda values: services.create_contact(actor=actor, **values),
        template="crm/record_form.html",
        context={
            "title": "New contact",
            "index": ("Contacts", "/contacts/"),
            "cancel": "/contacts/",
        },
        saved="Contact {record} created.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_contact(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    contact = get_object_or_404(Contact, pk=pk)
    return property_form_page(
        request,
        contact_form(request.POST or None, contact),
        lambda values: services.update_contact(contact, actor=actor, values=values),
        template="crm/record_form.html",
        context={
            "title": f"Edit {contact}",
            "index": ("Contacts", "/contacts/"),
            "record": contact,
            "cancel": contact.get_absolute_url(),
        },
        saved="Contact {record} saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_add_company(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    contact = get_object_or_404(Contact, pk=pk)
    return association_dialog(
        request,
        parent=contact,
        kind="company",
        present=contact.companies.all(),
        add=lambda company: services.associate_contact_with_company(
            contact,
            company,  # type: ignore[arg-type]
            actor=actor,
        ),
        action=reverse("crm:contact_add_company", args=[contact.pk]),
    )


@login_required
@require_POST
def contact_remove_company(request: HttpRequest, pk: int, company_id: int) -> HttpResponse:
    actor = editing_actor(request)
    contact = get_object_or_404(Contact, pk=pk)
    company = get_object_or_404(Company, pk=company_id)
    return remove_association(
        request,
        contact,
        company,
        lambda: services.dissociate_contact_from_company(contact, company, actor=actor),
    )


@login_required
@require_GET
def contact_options(request: HttpRequest) -> HttpResponse:
    records = search_contacts(request.GET.get("q", ""))[:OPTIONS_SHOWN]
    return options_page(request, records, "— No contact —")


# --- companies -------------------------------------------------------------------------------


@login_required
@require_GET
def company_page(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    context = record_context(
        request,
        company,
        index=("Companies", "/companies/"),
        edit_url=reverse("crm:company_edit", args=[company.pk]),
    )
    context |= {
        "company": company,
        "contacts": company.contacts.order_by("first_name", "last_name", "id"),
        "deals": company.deals.order_by("-created_at", "-id"),
        "quotes": company.quotes.order_by("-created_at", "-id"),
    }
    return render(request, "crm/company.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new_company(request: HttpRequest) -> HttpResponse:
    actor = editing_actor(request)
    return property_form_page(
        request,
        company_form(request.POST or None),
        lambda values: services.create_company(actor=actor, **values),
        template="crm/record_form.html",
        context={
            "title": "New company",
            "index": ("Companies", "/companies/"),
            "cancel": "/companies/",
        },
        saved="Company {record} created.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_company(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    company = get_object_or_404(Company, pk=pk)
    return property_form_page(
        request,
        company_form(request.POST or None, company),
        lambda values: services.update_company(company, actor=actor, values=values),
        template="crm/record_form.html",
        context={
            "title": f"Edit {company}",
            "index": ("Companies", "/companies/"),
            "record": company,
            "cancel": company.get_absolute_url(),
        },
        saved="Company {record} saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_add_contact(request: HttpRequest, pk: int) -> HttpResponse:
    actor = editing_actor(request)
    company = get_object_or_404(Company, pk=pk)
    return association_dialog(
        request,
        parent=company,
        kind="contact",
        present=company.contacts.all(),
        add=lambda contact: services.associate_contact_with_company(
            contact,  # type: ignore[arg-type]
            company,
            actor=actor,
        ),
        action=reverse("crm:company_add_contact", args=[company.pk]),
    )


@login_required
@require_POST
def company_remove_contact(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    actor = editing_actor(request)
    company = get_object_or_404(Company, pk=pk)
    contact = get_object_or_404(Contact, pk=contact_id)
    return remove_association(
        request,
        company,
        contact,
        lambda: services.dissociate_contact_from_company(contact, company, actor=actor),
    )


@login_required
@require_GET
def company_options(request: HttpRequest) -> HttpResponse:
    records = search_companies(request.GET.get("q", ""))[:OPTIONS_SHOWN]
    return options_page(request, records, "— No company —")
