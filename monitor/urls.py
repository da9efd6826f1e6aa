from django.urls import path

from . import views

app_name = "monitor"

urlpatterns = [
    path("", views.index, name="index"),
    path("rapportage/", views.printable, name="report"),
    path("excel/", views.workbook, name="workbook"),
    path("csv/<slug:slug>/", views.figure_csv, name="figure_csv"),
]
