def axes_username(request, credentials):
    """The login name axes counts failures for: allauth sends ``email``, others ``username``."""
    credentials = credentials or {}
    for key in ("email", "login", "username"):
        value = credentials.get(key) or request.POST.get(key)
        if value:
            return str(value).strip().lower()[:255]
    return None
