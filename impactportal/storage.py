from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage

# The type a stored image is served as, by the extension it was stored under
# (``impactportal.uploads.check_image`` names it after the format found in it).
IMAGE_CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}


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
    content_type = IMAGE_CONTENT_TYPES.get(PurePath(field_file.name).suffix.lower())
    if content_type is None:  # stored under a name that is no image's: never inline
        response = FileResponse(file, as_attachment=True, content_type="application/octet-stream")
    else:
        response = FileResponse(file, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
