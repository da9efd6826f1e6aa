from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicepointConfig(AppConfig):
    name = "servicepoint"
    verbose_name = _("Service point")

    def ready(self):
        from accounts.signals import email_address_proved

        from . import demo, figures, privacy, retention, signals

        email_address_proved.connect(
            signals.claim_guest_questions, dispatch_uid="servicepoint.claim_guest_questions"
        )
        privacy.register_sections()
        retention.register_kinds()
        demo.register_demo()
        figures.register_figures()
