from django.urls import path

from faktura.crm import views

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
