from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitorConfig(AppConfig):
    name = "monitor"
    verbose_name = _("Programme monitor")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .access import remember_reader

        user_logged_in.connect(remember_reader, dispatch_uid="monitor.remember_reader")
