from django.apps import AppConfig


class LoadTestConfig(AppConfig):
    """``manage.py loadtest``; installed by the local and test settings only."""

    name = "impactportal.loadtest"
    label = "loadtest"
    verbose_name = "Load test"
