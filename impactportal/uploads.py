"""Checks on uploaded files, for every upload field of the portal.

Two kinds of upload, each checked against a policy that the call site chooses (its size
limit, the types it takes and its messages):

- **Documents** (``check_document``, ``DocumentPolicy``): PDF, PNG/JPEG and office files,
  kept with the content type of their extension. The extension must agree with the
  content: puremagic identifies the file from its bytes; office documents are zip (or
  OLE2) files underneath, which look alike from their first bytes, so those are opened
  to check their structure, after checking that they do not unpack to something
  enormous (``open_zip``).
- **Images** (``check_image``, ``ImagePolicy``): Pillow identifies and verifies the
  image, its pixel count is limited (a small file can decode to gigabytes), and it is
  stored under a random name with the extension of the format found in it: the name is
  the visitor's choice, and the extension decides the type it is later served as.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePath

import puremagic
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

# Documents -------------------------------------------------------------------------------

# extension -> content type we store and serve
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}
# What puremagic may call a file with these extensions.
_EQUIVALENT = {
    ".jpg": {".jpg", ".jpeg", ".jfif", ".jpe"},
    ".jpeg": {".jpg", ".jpeg", ".jfif", ".jpe"},
}
_OOXML_PART = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
_ODF_MIMETYPE = {".odt": DOCUMENT_TYPES[".odt"], ".ods": DOCUMENT_TYPES[".ods"]}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"

# What an office document may unpack to; a zip file claiming more is a zip bomb.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000

# Images ----------------------------------------------------------------------------------

# The image formats the portal accepts, by what Pillow calls them, with the extension
# they are stored under.
IMAGE_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
_IMAGE_FORMAT_OF = {**{ext: fmt for fmt, ext in IMAGE_EXTENSIONS.items()}, ".jpeg": "JPEG"}
# A photo from a phone usually has 12 to 24 million pixels. More than this from a file of a
# few megabytes means a decompression bomb: it takes gigabytes once decoded (in Pillow, or
# in the browser of whoever looks at it).
MAX_IMAGE_PIXELS = 40_000_000

# Messages --------------------------------------------------------------------------------

TOO_LARGE = gettext_lazy("%(name)s is %(size)s; files can be at most %(max)s.")
NOT_AN_IMAGE = gettext_lazy("Upload a JPEG, PNG, WebP or GIF image.")


@dataclass(frozen=True)
class DocumentPolicy:
    """What one upload field takes as documents.

    ``extensions`` are keys of ``DOCUMENT_TYPES``. The messages may name the file as
    ``%(name)s``; ``too_large`` also gets ``%(size)s`` and ``%(max)s``.
    """

    max_bytes: int
    extensions: Collection[str]
    wrong_type: str | Promise
    too_large: str | Promise = TOO_LARGE

    def __post_init__(self):
        unknown = set(self.extensions) - set(DOCUMENT_TYPES)
        if unknown:
            raise ValueError(f"no document type for {sorted(unknown)}")


@dataclass(frozen=True)
class ImagePolicy:
    """What one upload field takes as images.

    ``formats`` are keys of ``IMAGE_EXTENSIONS`` (what Pillow calls them). With
    ``name_must_match`` the file's extension must be that of the format found, as for a
    field that asks for "a PNG or JPEG file"; otherwise the name is not looked at (the
    form field may still require an image extension). The messages as for documents.
    """

    max_bytes: int
    formats: Collection[str] = tuple(IMAGE_EXTENSIONS)
    max_pixels: int = MAX_IMAGE_PIXELS
    name_must_match: bool = False
    wrong_type: str | Promise = NOT_AN_IMAGE
    too_large: str | Promise = TOO_LARGE

    def __post_init__(self):
        unknown = set(self.formats) - set(IMAGE_EXTENSIONS)
        if unknown:
            raise ValueError(f"no image format {sorted(unknown)}")


@dataclass(frozen=True)
class CheckedFile:
    """A document that passed ``check_document``: its name as uploaded (without any
    directories), its extension (lower case), the content type to store and its size."""

    name: str
    extension: str
    content_type: str
    size: int


# Shared checks ---------------------------------------------------------------------------


def _name(uploaded) -> str:
    return PurePath(uploaded.name or "").name[:255]


def _error(message, name: str, code: str, **params) -> ValidationError:
    return ValidationError(str(message) % {"name": name, **params}, code=code)


def _check_size(uploaded, name: str, max_bytes: int, too_large) -> None:
    if uploaded.size == 0:
        raise _error(_("%(name)s is empty."), name, "empty_file")
    if uploaded.size > max_bytes:
        raise _error(
            too_large,
            name,
            "file_too_large",
            size=filesizeformat(uploaded.size),
            max=filesizeformat(max_bytes),
        )


def with_random_name(uploaded, extension: str):
    """Give the uploaded file a random name with ``extension`` before it is stored: the
    uploaded name is the visitor's to choose."""
    uploaded.name = f"{uuid.uuid4().hex}{extension}"
    return uploaded


# Zip files -------------------------------------------------------------------------------


def open_zip(
    file,
    *,
    name: str,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    max_entries: int = MAX_ZIP_ENTRIES,
) -> zipfile.ZipFile:
    """The zip archive in ``file``, once its directory shows that it unpacks to no more
    than ``max_unpacked_bytes`` in at most ``max_entries`` entries.

    Only the directory is read: nothing is unpacked before the check. Raises
    ``ValidationError`` (code ``zip_bomb``) for an archive that claims more, and what
    ``zipfile.ZipFile`` raises (``BadZipFile``, ``OSError``...) for one that is broken.
    Reading an entry never yields more than the size the directory gave for it.
    """
    archive = zipfile.ZipFile(file)
    entries = archive.infolist()
    if len(entries) > max_entries or sum(e.file_size for e in entries) > max_unpacked_bytes:
        archive.close()
        raise _error(
            _("%(name)s unpacks to far more than its size; it is refused."), name, "zip_bomb"
        )
    return archive


def _check_office_zip(uploaded, name: str, extension: str, refuse: ValidationError) -> None:
    uploaded.seek(0)
    try:
        with open_zip(uploaded, name=name) as archive:
            names = set(archive.namelist())
            if extension in _OOXML_PART:
                if "[Content_Types].xml" not in names or not any(
                    n.startswith(_OOXML_PART[extension]) for n in names
                ):
                    raise refuse
            elif (
                archive.read("mimetype").decode("ascii", "replace").strip()
                != _ODF_MIMETYPE[extension]
            ):
                raise refuse
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError) as error:
        raise refuse from error


# Documents -------------------------------------------------------------------------------


def check_document(uploaded, policy: DocumentPolicy) -> CheckedFile:
    """Check one uploaded document against ``policy``, or raise ``ValidationError`` with
    a message for the person (codes ``empty_file``, ``file_too_large``, ``file_type``,
    ``zip_bomb``). The file keeps its name; see ``with_random_name``."""
    name = _name(uploaded)
    extension = PurePath(name).suffix.lower()
    refuse = _error(policy.wrong_type, name, "file_type")
    _check_size(uploaded, name, policy.max_bytes, policy.too_large)
    if extension not in policy.extensions:
        raise refuse
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    if extension in {".doc", ".xls"}:
        if not head.startswith(_OLE2):
            raise refuse
    elif extension in _OOXML_PART or extension in _ODF_MIMETYPE:
        # All zip files look alike from their first bytes; the structure tells them apart.
        if not head.startswith(_ZIP):
            raise refuse
        _check_office_zip(uploaded, name, extension, refuse)
    else:
        try:
            found = {match.extension.lower() for match in puremagic.magic_string(head)}
        except puremagic.PureError:
            found = set()
        if not found & _EQUIVALENT.get(extension, {extension}):
            raise refuse
    uploaded.seek(0)
    return CheckedFile(
        name=name,
        extension=extension,
        content_type=DOCUMENT_TYPES[extension],
        size=uploaded.size,
    )


# Images ----------------------------------------------------------------------------------


def _too_many_pixels(name: str, policy: ImagePolicy) -> ValidationError:
    return _error(
        _("%(name)s has more than %(megapixels)d million pixels; upload a smaller image."),
        name,
        "too_many_pixels",
        megapixels=policy.max_pixels // 1_000_000,
    )


def check_image(uploaded, policy: ImagePolicy):
    """Check one uploaded image against ``policy`` and give it a random name with the
    extension of the format found in it; or raise ``ValidationError`` with a message for
    the person (codes ``empty_file``, ``file_too_large``, ``file_type``,
    ``too_many_pixels``). Returns the uploaded file, ready to be stored."""
    name = _name(uploaded)
    refuse = _error(policy.wrong_type, name, "file_type")
    _check_size(uploaded, name, policy.max_bytes, policy.too_large)
    uploaded.seek(0)
    try:
        # Only the allowed formats are tried: Pillow reads many more (PSD, TIFF, ICO...).
        with Image.open(uploaded, formats=list(policy.formats)) as image:
            image_format = image.format
            width, height = image.size
            if width * height > policy.max_pixels:
                raise _too_many_pixels(name, policy)
            image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:  # far over Pillow's own limit
        raise _too_many_pixels(name, policy) from error
    except Exception as error:  # Pillow raises many kinds for broken or hostile files
        raise refuse from error
    if policy.name_must_match:
        if _IMAGE_FORMAT_OF.get(PurePath(name).suffix.lower()) != image_format:
            raise refuse
    uploaded.seek(0)
    return with_random_name(uploaded, IMAGE_EXTENSIONS[image_format])
