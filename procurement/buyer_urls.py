"""Pages for procurement officers: shortlists, exports, inquiries (procurement.buyer_views)."""

from django.urls import path

from . import buyer_views as views

urlpatterns: list = [
    path("shortlists/", views.shortlists, name="shortlists"),
    path("shortlists/toevoegen/<slug:slug>/", views.shortlist_add, name="shortlist_add"),
    path("shortlists/<uuid:uuid>/", views.shortlist_detail, name="shortlist"),
    path("shortlists/<uuid:uuid>/bewerken/", views.shortlist_edit, name="shortlist_edit"),
    path("shortlists/<uuid:uuid>/verwijderen/", views.shortlist_delete, name="shortlist_delete"),
    path(
        "shortlists/<uuid:uuid>/leverancier/<int:entry_id>/notitie/",
        views.entry_note,
        name="shortlist_entry_note",
    ),
    path(
        "shortlists/<uuid:uuid>/leverancier/<int:entry_id>/verwijderen/",
        views.entry_remove,
        name="shortlist_entry_remove",
    ),
    path(
        "shortlists/<uuid:uuid>/export.<slug:fmt>",
        views.shortlist_export,
        name="shortlist_export",
    ),
    # The current search (same GET parameters as the search page) as a spreadsheet.
    path("export.<slug:fmt>", views.search_export, name="search_export"),
    path("uitvragen/", views.inquiries, name="inquiries"),
    path("uitvragen/nieuw/", views.inquiry_new, name="inquiry_new"),
    path("uitvragen/<uuid:uuid>/", views.inquiry_detail, name="inquiry"),
]
