"""A wrong retention setting or a model without a period must stop the deploy, not
surface at 04:00 as a failed task or as data kept forever."""

from django.conf import settings
from django.core.checks import Error, Warning

from impactportal import privacy

from . import registry


def retention_days_check(app_configs=None, **kwargs):
    configured = getattr(settings, "RETENTION_DAYS", {})
    if not isinstance(configured, dict):
        return [Error("RETENTION_DAYS must be a dict of kind → days.", id="retention.E001")]
    known = {kind.name for kind in registry.kinds()}
    problems = []
    for name, days in configured.items():
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            problems.append(
                Error(
                    f"RETENTION_DAYS[{name!r}] must be a whole number of days, 0 or more.",
                    id="retention.E003",
                )
            )
        elif name not in known:
            problems.append(
                Warning(
                    f"RETENTION_DAYS[{name!r}] belongs to no known kind and is ignored.",
                    id="retention.W001",
                )
            )
    return problems


def retention_coverage_check(app_configs=None, **kwargs):
    return [
        Error(
            problem,
            hint="Register a kind with impactportal.retention.registry.register(models=...) "
            "or impactportal.retention.registry.exempt(model, reason).",
            id="retention.E004",
        )
        for problem in privacy.coverage_problems(
            covered=registry.covered_models(),
            exempt={**privacy.exemptions(), **registry.exemptions()},
            what="retention kind",
        )
    ]
