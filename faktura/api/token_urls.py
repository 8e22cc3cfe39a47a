from django.urls import path

from faktura.api import token_views

app_name = "api"

urlpatterns = [
    path("settings/api-tokens/", token_views.tokens_page, name="tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", token_views.revoke, name="revoke_token"),
]
