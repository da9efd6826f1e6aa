from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """Uploads outside the web root; only views that check access serve them."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)
