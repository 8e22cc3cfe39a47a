from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("faktura.accounts.urls")),
    path("", include("faktura.listings.urls")),
    path("", include("faktura.emails.urls")),
    path("", include("faktura.crm.urls")),
    path("", include("faktura.sales.urls")),
    path("", include("faktura.invoices.urls")),
    path("", RedirectView.as_view(url="/invoices/", permanent=False), name="home"),
]
