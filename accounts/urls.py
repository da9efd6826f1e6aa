from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profiel/", views.profile, name="profile"),
    path("gegevens/", views.data_export, name="data_export"),
    path("verwijderen/", views.delete_account, name="delete"),
]
