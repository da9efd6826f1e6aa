from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("gezondheid/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("account/", include("accounts.urls")),
    path("account/", include("allauth.urls")),
    path("servicepunt/", include("servicepoint.urls")),
    path("omarm/", include("omarm.urls")),
    path("goed-inkopen/", include("procurement.urls")),
    path("agenda/", include("events.urls")),
    path("monitor/", include("monitor.urls")),
    path("beheer/", admin.site.urls),
]

# allauth answers its own rate limits with this too (allauth.core.ratelimit.respond_429).
handler429 = "impactportal.ratelimit.too_many_requests"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
