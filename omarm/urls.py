from django.urls import path
from django.views.generic import TemplateView

app_name = "omarm"

urlpatterns = [
    path("", TemplateView.as_view(template_name="omarm/index.html"), name="index"),
]
