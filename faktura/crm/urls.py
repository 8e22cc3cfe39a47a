from django.urls import path

from faktura.crm import services, views
from faktura.crm.models import Company, Contact
from faktura.crm.record_views import archiving_urls

app_name = "crm"

urlpatterns = [
    path("contacts/new/", views.new_contact, name="contact_new"),
    path("contacts/options/", views.contact_options, name="contact_options"),
    path("contacts/<int:pk>/", views.contact_page, name="contact"),
    path("contacts/<int:pk>/edit/", views.edit_contact, name="contact_edit"),
    path(
        "contacts/<int:pk>/companies/add/",
        views.contact_add_company,
        name="contact_add_company",
    ),
    path(
        "contacts/<int:pk>/companies/<int:company_id>/remove/",
        views.contact_remove_company,
        name="contact_remove_company",
    ),
    path("companies/new/", views.new_company, name="company_new"),
    path("companies/options/", views.company_options, name="company_options"),
    path("companies/<int:pk>/", views.company_page, name="company"),
    path("companies/<int:pk>/edit/", views.edit_company, name="company_edit"),
    path(
        "companies/<int:pk>/contacts/add/",
        views.company_add_contact,
        name="company_add_contact",
    ),
    path(
        "companies/<int:pk>/contacts/<int:contact_id>/remove/",
        views.company_remove_contact,
        name="company_remove_contact",
    ),
]

# Archive and restore: contact_archive, company_restore, …
urlpatterns += archiving_urls(
    {
        Contact: ("contacts", services.archive_contact, services.restore_contact),
        Company: ("companies", services.archive_company, services.restore_company),
    }
)
