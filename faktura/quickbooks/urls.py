from django.urls import path

from faktura.quickbooks import views

app_name = "quickbooks"

urlpatterns = [
    path("settings/quickbooks/", views.connections_page, name="connections"),
    path("settings/quickbooks/connect/", views.connect, name="connect"),
    path("settings/quickbooks/callback/", views.callback, name="callback"),
    path("settings/quickbooks/<int:pk>/", views.connection_page, name="connection"),
    path("settings/quickbooks/<int:pk>/sync/", views.sync_products, name="product_sync"),
    path(
        "settings/quickbooks/<int:pk>/sync/<int:run_pk>/conflicts/<int:index>/",
        views.resolve_conflict,
        name="resolve_conflict",
    ),
    path("settings/quickbooks/<int:pk>/disconnect/", views.disconnect, name="disconnect"),
]
