"""The organisers' pages. Include under the "events" namespace at ``organisator/``:

    path("organisator/", include("events.organiser_urls")),

in ``events/urls.py`` (which sets ``app_name = "events"``), so the names resolve as
``events:organiser_attendees`` and so on.
"""

from django.urls import path

from . import organiser_views

urlpatterns = [
    path("<slug:slug>/", organiser_views.attendees, name="organiser_attendees"),
    path("<slug:slug>/inchecken/", organiser_views.check_in, name="organiser_check_in"),
    path("<slug:slug>/export.csv", organiser_views.export_csv, name="organiser_export"),
    path("<slug:slug>/bericht/", organiser_views.message, name="organiser_message"),
]
