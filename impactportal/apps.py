from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django admin with the portal's own site (login through allauth, Dutch titles)."""

    default_site = "impactportal.admin_site.PortalAdminSite"
