from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "impactportal.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from . import privacy

        privacy.register_sections()
