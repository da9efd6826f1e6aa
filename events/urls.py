from django.urls import include, path

from . import views

app_name = "events"

# Fixed paths first: an event's slug can never shadow them.
urlpatterns = [
    path("", views.index, name="index"),
    path("maand/<int:year>/<int:month>/", views.month, name="month"),
    path("mijn/", views.mine, name="mine"),
    path("feed.ics", views.feed, name="feed"),
    path("feed/<slug:type>.ics", views.feed_type, name="feed_type"),
    path("organisator/", include("events.organiser_urls")),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/afbeelding/", views.image, name="image"),
    path("<slug:slug>/aanmelden/", views.register, name="register"),
    path("<slug:slug>/afmelden/", views.cancel, name="cancel"),
]
