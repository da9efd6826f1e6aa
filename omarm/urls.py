from django.urls import path

from . import views

app_name = "omarm"

urlpatterns = [
    path("", views.index, name="index"),
    path("mijn/", views.mine, name="mine"),
    path("hulpvraag/nieuw/", views.request_new, name="request_new"),
    path("hulpvraag/<uuid:uuid>/", views.request_detail, name="request"),
    path("hulpvraag/<uuid:uuid>/bewerken/", views.request_edit, name="request_edit"),
    path("hulpvraag/<uuid:uuid>/helpen/", views.offer_help, name="offer_help"),
    path("hulpvraag/<uuid:uuid>/melden/", views.report, name="report"),
    path("foto/<uuid:uuid>/", views.photo, name="photo"),
    path("aanbod/nieuw/", views.offer_new, name="offer_new"),
    path("aanbod/<uuid:uuid>/", views.offer_detail, name="offer"),
    path("aanbod/<uuid:uuid>/bewerken/", views.offer_edit, name="offer_edit"),
    path("aanbod/<uuid:uuid>/interesse/", views.show_interest, name="show_interest"),
    # <kind> is "hulpvraag" or "aanbod".
    path(
        "<slug:kind>/<uuid:uuid>/indienen/",
        views.posting_action,
        {"action": "submit"},
        name="submit",
    ),
    path(
        "<slug:kind>/<uuid:uuid>/intrekken/",
        views.posting_action,
        {"action": "withdraw"},
        name="withdraw",
    ),
    path(
        "<slug:kind>/<uuid:uuid>/vervuld/",
        views.posting_action,
        {"action": "fulfil"},
        name="fulfil",
    ),
    path(
        "<slug:kind>/<uuid:uuid>/verlengen/",
        views.posting_action,
        {"action": "extend"},
        name="extend",
    ),
    path("match/<uuid:uuid>/", views.match, name="match"),
    path("organisatie/<uuid:uuid>/", views.organisation, name="organisation"),
    path("challenge/<slug:slug>/", views.challenge, name="challenge"),
]
