from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and trainings")

    def ready(self):
        from . import demo, figures, privacy, retention

        privacy.register_sections()
        retention.register_kinds()
        demo.register_demo()
        figures.register_figures()
