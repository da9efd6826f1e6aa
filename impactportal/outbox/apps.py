from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "impactportal.outbox"
    label = "outbox"
    verbose_name = _("Notifications")

    def ready(self):
        from . import privacy, retention

        privacy.register_sections()
        retention.register_kinds()
