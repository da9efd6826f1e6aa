from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicepointConfig(AppConfig):
    name = "servicepoint"
    verbose_name = _("Service point")
