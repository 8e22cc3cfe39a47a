from django.urls import path

from faktura.emails import views

app_name = "emails"

urlpatterns = [
    path("email/<str:object_type>/<int:pk>/", views.compose, name="compose"),
    path("settings/inboxes/", views.inboxes, name="inboxes"),
    path("conversations/", views.conversations_page, name="conversations"),
]
