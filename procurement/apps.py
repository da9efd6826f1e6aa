from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Platform Goed Inkopen")

    def ready(self):
        from accounts import privacy

        from . import privacy as procurement_privacy

        privacy.register(
            "procurement_shortlists",
            export=procurement_privacy.export_shortlists,
            erase=procurement_privacy.erase_shortlists,
        )
        privacy.register("procurement_inquiries", export=procurement_privacy.export_inquiries)
