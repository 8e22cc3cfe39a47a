from django.urls import path

from faktura.crm.record_views import archiving_urls
from faktura.sales import services, views
from faktura.sales.models import Deal, Product, Quote

app_name = "sales"

urlpatterns = [
    path("products/new/", views.new_product, name="product_new"),
    path("products/<int:pk>/", views.product_page, name="product"),
    path("products/<int:pk>/edit/", views.edit_product, name="product_edit"),
    path("deals/new/", views.new_deal, name="deal_new"),
    path("deals/<int:pk>/", views.deal_page, name="deal"),
    path("deals/<int:pk>/edit/", views.edit_deal, name="deal_edit"),
    path("quotes/new/", views.new_quote, name="quote_new"),
    path("quotes/<int:pk>/", views.quote_page, name="quote"),
    path("quotes/<int:pk>/edit/", views.edit_quote, name="quote_edit"),
]

# Contacts and companies on a deal or quote: deal_add_contact, quote_remove_company, …
for _model in (Deal, Quote):
    for _kind, _plural in (("contact", "contacts"), ("company", "companies")):
        _name = _model._meta.model_name
        _options = {"model": _model, "kind": _kind}
        urlpatterns += [
            path(
                f"{_name}s/<int:pk>/{_plural}/add/",
                views.add_association,
                _options,
                name=f"{_name}_add_{_kind}",
            ),
            path(
                f"{_name}s/<int:pk>/{_plural}/<int:record_id>/remove/",
                views.remove_association,
                _options,
                name=f"{_name}_remove_{_kind}",
            ),
        ]

# Archive and restore: product_archive, deal_restore, …
urlpatterns += archiving_urls(
    {
        Product: ("products", services.archive_product, services.restore_product),
        Deal: ("deals", services.archive_deal, services.restore_deal),
        Quote: ("quotes", services.archive_quote, services.restore_quote),
    }
)
