"""Pages where members of a company keep its supplier profile (procurement.owner_views)."""

from django.urls import path

from . import owner_views as views

urlpatterns: list = [
    path("", views.my_profiles, name="my_profiles"),
    path("nieuw/<uuid:organisation_uuid>/", views.create, name="create"),
    path("<slug:slug>/", views.edit, name="edit"),
    path("<slug:slug>/indienen/", views.submit, name="profile_submit"),
    path("<slug:slug>/bevestigen/", views.confirm, name="profile_confirm"),
    path("<slug:slug>/intrekken/", views.withdraw, name="profile_withdraw"),
    path("<slug:slug>/producten/nieuw/", views.product_create, name="product_create"),
    path("<slug:slug>/producten/<int:pk>/", views.product_edit, name="product_edit"),
    path(
        "<slug:slug>/producten/<int:pk>/verwijderen/",
        views.product_delete,
        name="product_delete",
    ),
    path("<slug:slug>/labels/nieuw/", views.label_create, name="label_create"),
    path("<slug:slug>/labels/<int:pk>/", views.label_edit, name="label_edit"),
    path("<slug:slug>/labels/<int:pk>/verwijderen/", views.label_delete, name="label_delete"),
    path("<slug:slug>/labels/<int:pk>/bewijs/", views.label_evidence, name="label_evidence"),
]
