"""Pages where members of a company keep its supplier profile (procurement.owner_views)."""

from django.urls import path

urlpatterns: list = []
