from django.conf import settings


def portal(request):
    """Values every page template uses."""
    return {"portal_require_staff_mfa": settings.PORTAL_REQUIRE_STAFF_MFA}
