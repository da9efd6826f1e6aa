"""A wrong RETENTION_DAYS must stop the deploy, not surface at 04:00 as a failed task."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def retention_days_check(app_configs=None, **kwargs):
    from .kinds import KINDS

    configured = getattr(settings, "RETENTION_DAYS", None)
    if not isinstance(configured, dict):
        return [Error("RETENTION_DAYS must be a dict of kind → days.", id="retention.E001")]
    problems = []
    for kind in KINDS:
        days = configured.get(kind)
        if days is None:
            problems.append(
                Error(f"RETENTION_DAYS has no period for {kind!r}.", id="retention.E002")
            )
        elif isinstance(days, bool) or not isinstance(days, int) or days < 0:
            problems.append(
                Error(
                    f"RETENTION_DAYS[{kind!r}] must be a whole number of days, 0 or more.",
                    id="retention.E003",
                )
            )
    for kind in sorted(set(configured) - set(KINDS)):
        problems.append(
            Warning(
                f"RETENTION_DAYS[{kind!r}] belongs to no known kind and is ignored.",
                id="retention.W001",
            )
        )
    return problems
