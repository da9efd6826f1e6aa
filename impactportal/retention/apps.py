from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "impactportal.retention"
    label = "retention"
    verbose_name = _("Retention")

    def ready(self):
        from . import checks  # noqa: F401 (registers the settings check)
