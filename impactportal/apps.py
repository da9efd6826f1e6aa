from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django admin with the portal's own site (login through allauth, Dutch titles)."""

    default_site = "impactportal.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        from django.core import checks

        from .admin_site import secret_fields_check

        checks.register(secret_fields_check, checks.Tags.admin)
