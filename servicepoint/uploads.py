"""Checks on uploaded attachments: the content must be what the name says.

puremagic identifies the file from its bytes; the claimed extension must be among
what it found. Office documents are zip (or OLE2) files underneath, which look alike
from their first bytes, so those are opened to check their structure, and that they
do not unpack to something enormous.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension -> content type we store and serve
ALLOWED = {
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
_ODF_MIMETYPE = {".odt": ALLOWED[".odt"], ".ods": ALLOWED[".ods"]}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


def _refuse(name: str) -> ValidationError:
    return ValidationError(
        _(
            "%(name)s is not a PDF, image (PNG, JPEG) or office document, or its content does "
            "not match its name."
        )
        % {"name": name},
        code="file_type",
    )


def _check_zip(uploaded, name: str, extension: str) -> None:
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            entries = archive.infolist()
            if (
                len(entries) > MAX_ZIP_ENTRIES
                or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES
            ):
                raise ValidationError(
                    _("%(name)s unpacks to far more than its size; it is refused.")
                    % {"name": name},
                    code="zip_bomb",
                )
            names = {entry.filename for entry in entries}
            if extension in _OOXML_PART:
                if "[Content_Types].xml" not in names or not any(
                    n.startswith(_OOXML_PART[extension]) for n in names
                ):
                    raise _refuse(name)
            elif (
                archive.read("mimetype").decode("ascii", "replace").strip()
                != _ODF_MIMETYPE[extension]
            ):
                raise _refuse(name)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError) as error:
        raise _refuse(name) from error


def check_upload(uploaded) -> CheckedFile:
    """Validate one uploaded file or raise ValidationError with a message for the person."""
    name = PurePath(uploaded.name or "").name[:255]
    extension = PurePath(name).suffix.lower()
    limit = settings.SERVICEPOINT_MAX_ATTACHMENT_BYTES
    if uploaded.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty_file")
    if uploaded.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; files can be at most %(max)s.")
            % {"name": name, "size": filesizeformat(uploaded.size), "max": filesizeformat(limit)},
            code="file_too_large",
        )
    if extension not in ALLOWED:
        raise _refuse(name)
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    if extension in {".doc", ".xls"}:
        if not head.startswith(_OLE2):
            raise _refuse(name)
    elif extension in _OOXML_PART or extension in _ODF_MIMETYPE:
        # All zip files look alike from their first bytes; the structure tells them apart.
        if not head.startswith(b"PK\x03\x04"):
            raise _refuse(name)
        _check_zip(uploaded, name, extension)
    else:
        try:
            found = {match.extension.lower() for match in puremagic.magic_string(head)}
        except puremagic.PureError:
            found = set()
        if not found & _EQUIVALENT.get(extension, {extension}):
            raise _refuse(name)
    uploaded.seek(0)
    return CheckedFile(name=name, content_type=ALLOWED[extension], size=uploaded.size)
