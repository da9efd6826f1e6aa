from django.urls import path
from django.views.generic import TemplateView

app_name = "procurement"

urlpatterns = [
    path("", TemplateView.as_view(template_name="procurement/index.html"), name="index"),
]
