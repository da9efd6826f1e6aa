from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Platform Goed Inkopen")

    def ready(self):
        from . import demo, figures, privacy, retention

        privacy.register_sections()
        retention.register_kinds()
        demo.register_demo()
        figures.register_figures()
