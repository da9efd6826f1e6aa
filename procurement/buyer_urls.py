"""Pages for procurement officers: shortlists, exports, inquiries (procurement.buyer_views)."""

from django.urls import path

urlpatterns: list = []
