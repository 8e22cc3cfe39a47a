from django.urls import path

from faktura.crm.models import Company, Contact
from faktura.invoices import (
    action_views,
    buyer_views,
    edit_views,
    insert_views,
    payment_views,
    receipt_views,
    send_views,
    views,
)

app_name = "invoices"

urlpatterns = [
    path("invoices/new/", edit_views.new_invoice, name="new"),
    path("invoices/new/contacts/", edit_views.contact_options, name="contact_options"),
    path("invoices/new/companies/", edit_views.company_options, name="company_options"),
    path("invoices/from-deal/<int:deal_id>/", edit_views.from_deal, name="from_deal"),
    path("invoices/from-quote/<int:quote_id>/", edit_views.from_quote, name="from_quote"),
    path("invoices/insert/", insert_views.insert_picker, name="insert_picker"),
    path("invoices/<int:pk>/", views.record_page, name="detail"),
    path("invoices/<int:pk>/edit/", edit_views.edit_invoice, name="edit"),
    path(
        "invoices/<int:pk>/changed/<int:entry_id>/",
        edit_views.proposed_customer_message,
        name="customer_message",
    ),
    path("invoices/<int:pk>/finalize/", action_views.finalize, name="finalize"),
    path("invoices/<int:pk>/clone/", action_views.clone, name="clone"),
    path("invoices/<int:pk>/void/", action_views.void, name="void"),
    path("invoices/<int:pk>/delete/", action_views.delete, name="delete"),
    path("invoices/<int:pk>/send/", send_views.send, name="send"),
    path("invoices/<int:pk>/pdf/", views.download_pdf, name="pdf"),
    path("invoices/<int:pk>/history/", views.property_history_dialog, name="property_history"),
    path("invoices/<int:pk>/owner/", views.change_owner, name="owner"),
    path("invoices/<int:pk>/contacts/add/", views.add_contact, name="add_contact"),
    *(
        path(
            f"invoices/<int:pk>/{plural}/<int:record_id>/{change}/",
            views.change_association,
            {"model": model, "change": change},
            name=f"{change}_{singular}",
        )
        for plural, singular, model in (
            ("contacts", "contact", Contact),
            ("companies", "company", Company),
        )
        for change in ("remove", "bill")
    ),
    path("invoices/<int:pk>/companies/add/", views.add_company, name="add_company"),
    path("invoices/<int:pk>/payments/new/", payment_views.record_payment, name="record_payment"),
    path(
        "invoices/<int:pk>/payments/search/", payment_views.payment_search, name="search_payments"
    ),
    path("invoices/<int:pk>/payments/apply/", payment_views.apply_payment, name="apply_payment"),
    path("payments/<int:pk>/", payment_views.payment_page, name="payment"),
    path("payments/receipts/", receipt_views.send_receipts, name="send_receipts"),
    path("payments/<int:pk>/receipt/", receipt_views.send_receipt, name="send_receipt"),
    path("payments/<int:pk>/delete/", payment_views.delete_payment, name="delete_payment"),
    path("i/<str:token>/", buyer_views.public_invoice, name="public"),
    path("i/<str:token>/pdf/", buyer_views.public_pdf, name="public_pdf"),
]
