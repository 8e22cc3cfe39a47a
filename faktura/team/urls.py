from django.urls import path

from faktura.team import views

app_name = "team"

urlpatterns = [
    path("settings/users/", views.users_page, name="users"),
    path("settings/users/<int:pk>/role/", views.change_role, name="change_role"),
    path("settings/users/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("settings/users/<int:pk>/reactivate/", views.reactivate, name="reactivate"),
    path("settings/users/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("settings/users/<int:pk>/resend/", views.resend_invitation, name="resend_invitation"),
    path("invitation/<str:uidb64>/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
