from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """Uploads outside the web root; only views that check access serve them."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


def serve_private_image(field_file):
    """A stored image as a response (404 if it is missing), never sniffed or scripted.

    Callers decide first whether the visitor may see it.
    """
    from django.http import FileResponse, Http404

    if not field_file:
        raise Http404
    try:
        file = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(file)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
