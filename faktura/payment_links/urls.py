from django.urls import path

from faktura.payment_links import public_views, views

app_name = "payment_links"

urlpatterns = [
    path("payments/links/", views.index, name="index"),
    path("payments/links/new/", views.new_link, name="new"),
    path("payments/links/new/row/", views.product_row, name="product_row"),
    path("payments/links/<int:pk>/", views.link_page, name="link"),
    path("payments/links/<int:pk>/active/", views.set_active, name="set_active"),
    path("l/<str:token>/", public_views.public_link, name="public"),
    path("l/<str:token>/done/<str:purchase_token>/", public_views.purchase_done, name="done"),
]
