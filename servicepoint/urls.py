from django.urls import path

from . import views

app_name = "servicepoint"

urlpatterns = [
    path("", views.index, name="index"),
    path("vraag/", views.ask, name="ask"),
    path("vraag/verzonden/", views.submitted, name="submitted"),
    path("vraag/bevestigen/<str:token>/", views.confirm, name="confirm"),
    path("vraag/<uuid:uuid>/", views.guest_question_page, name="guest_question_page"),
    path("vraag/<uuid:uuid>/<str:token>/", views.guest_question, name="guest_question"),
    path("mijn-vragen/", views.my_questions, name="my_questions"),
    path("mijn-vragen/<uuid:uuid>/", views.my_question, name="my_question"),
    path("bijlage/<uuid:uuid>/", views.attachment_download, name="attachment"),
    path("tevredenheid/<str:token>/<str:answer>/", views.follow_up, name="follow_up"),
    path("kennisbank/", views.knowledge_base, name="knowledge_base"),
    path("kennisbank/suggesties/", views.article_suggestions, name="suggestions"),
    path("kennisbank/<slug:slug>/", views.article, name="article"),
]
