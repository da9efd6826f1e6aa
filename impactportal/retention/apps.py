from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Retention periods and the AVG's completeness checks: every model that holds
    personal data is covered by a privacy section and a retention kind, or says why not."""

    name = "impactportal.retention"
    label = "retention"
    verbose_name = _("Retention")

    def ready(self):
        from django.core import checks

        from impactportal import privacy

        from .checks import retention_coverage_check, retention_days_check

        checks.register(retention_days_check)
        checks.register(retention_coverage_check)
        checks.register(privacy.privacy_coverage_check)
        _exempt_framework_models()


def _exempt_framework_models():
    """Django's own tables whose fields look personal but are not."""
    from impactportal import privacy

    for label, reason in {
        "auth.Group": "A role's name; who holds it is on the account.",
        "auth.Permission": "A permission's name and code, the same for everyone.",
        "admin.LogEntry": "Django's admin history stays empty: every admin writes to the "
        "audit log instead (impactportal.admin_site.AuditedAdminMixin).",
    }.items():
        privacy.exempt(label, reason)
