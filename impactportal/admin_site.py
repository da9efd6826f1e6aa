from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("Impactportaal Groningen management")
    site_title = _("Impactportaal management")
    index_title = _("Management")

    def login(self, request, extra_context=None):
        """Send every admin login through allauth, so axes and two-factor apply.

        Someone already logged in without admin access gets 403 rather than a login
        page that would send them straight back here.
        """
        if request.user.is_authenticated:
            raise PermissionDenied
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
