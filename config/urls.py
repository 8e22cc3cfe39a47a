from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from faktura.api.hubspot import api as hubspot_api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("faktura.accounts.urls")),
    path("", include("faktura.listings.urls")),
    path("", include("faktura.emails.urls")),
    path("", include("faktura.team.urls")),
    path("", include("faktura.crm.urls")),
    path("", include("faktura.sales.urls")),
    path("", include("faktura.invoices.urls")),
    path("", include("faktura.stripe_payments.urls")),
    path("", include("faktura.payment_links.urls")),
    path("", include("faktura.workflows.urls")),
    path("", include("faktura.quickbooks.urls")),
    path("", include("faktura.api.token_urls")),
    path("", RedirectView.as_view(url="/invoices/", permanent=False), name="home"),
    path("", hubspot_api.urls),
]
