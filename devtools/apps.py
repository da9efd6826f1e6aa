from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """The development commands (``seed_suppliers``, ``benchmark_search``,
    ``benchmark_monitor``, ``loadtest``); not installed in production."""

    name = "devtools"
    verbose_name = "Development tools"
