from django.urls import path
from django.views.generic import TemplateView

app_name = "servicepoint"

urlpatterns = [
    path("", TemplateView.as_view(template_name="servicepoint/index.html"), name="index"),
]
