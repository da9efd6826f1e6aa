from django.urls import include, path

from . import views

app_name = "procurement"

urlpatterns = [
    path("", views.search, name="index"),
    path("leverancier/<slug:slug>/", views.supplier, name="supplier"),
    path("leverancier/<slug:slug>/logo/", views.logo, name="logo"),
    # Profile owners (entrepreneurs) and procurement officers have their own modules.
    path("mijn-profiel/", include("procurement.owner_urls")),
    path("", include("procurement.buyer_urls")),
]
