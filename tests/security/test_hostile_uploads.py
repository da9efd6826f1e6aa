"""Hostile files for every upload field of the portal (issue #8).

Each field gets disguised executables (Windows PE, ELF), a zip bomb dressed as a
workbook, a file just over the configured limit, an empty file, a wrong extension, an
SVG with script, an HTML/PDF polyglot and (image fields) a decompression bomb. Each is
refused on its field with a message, and nothing is stored: no rows, no files. A valid
file is accepted, so the refusals are not those of a form that takes nothing.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from events.models import Event
from omarm.forms import MAX_PHOTO_BYTES
from omarm.models import HelpRequest
from procurement import importing as importer
from procurement.forms import MAX_EVIDENCE_BYTES, MAX_LOGO_BYTES
from procurement.models import Label, Supplier
from servicepoint.models import Attachment
from tests.procurement.test_importer import csv_file, row

from .hostile import counts, rendered_form
from .test_hostile_forms import World

pytestmark = pytest.mark.django_db

UPLOAD_FIELDS = [
    Attachment._meta.get_field("file"),
    HelpRequest._meta.get_field("photo"),
    Supplier._meta.get_field("logo"),
    Label._meta.get_field("evidence"),
    Event._meta.get_field("image"),
]


@pytest.fixture
def media_root(settings, tmp_path):
    """A MEDIA_ROOT of this test; the private storages of the upload fields point into it."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.PRIVATE_MEDIA_ROOT = root / "private"
    storages = list({id(f.storage): f.storage for f in UPLOAD_FIELDS}.values())
    saved = [(storage, storage._location) for storage in storages]
    for storage in storages:
        storage._location = str(root / "private")
        storage._clear_cached_properties("MEDIA_ROOT")
    yield root
    for storage, location in saved:
        storage._location = location
        storage._clear_cached_properties("MEDIA_ROOT")


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# Hostile content ---------------------------------------------------------------------------

PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + struct.pack("<I", 64)
    + b"PE\x00\x00\x4c\x01\x03\x00"
    + b"\x00" * 400
    + b"This program cannot be run in DOS mode."
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + bytes(400)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script><rect width='1' height='1'/></svg>"
)
# Opened as a web page it runs the script; its PDF part starts after the HTML.
POLYGLOT = b"<html><body><script>alert(document.cookie)</script><!--\n" + PDF + b"-->\n</html>"
CSV = csv_file([row()]).read()


def image(image_format="PNG", size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format=image_format)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_bomb() -> bytes:
    """A tiny PNG that claims 60,000 x 60,000 pixels (over 10 GB once decoded)."""
    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + _png_chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A structurally valid .xlsx (and .docx-like zip) whose one entry unpacks to 120 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        chunk = bytes(1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            for _ in range(120):
                entry.write(chunk)
    return buffer.getvalue()


# The upload fields ------------------------------------------------------------------------


@dataclass
class Target:
    """An upload field: the case that posts its form, the field, what the field takes."""

    case: str
    field: str
    kind: str  # "document", "image", "logo" or "table"
    limit: int
    form: Any = None  # response -> the bound form
    multiple: bool = False
    extra: dict = field(default_factory=dict)


def _form(key="form"):
    return lambda response: response.context[key]


def _admin_form(response):
    return response.context["adminform"].form


TARGETS = {
    "ask_guest": Target("ask_guest", "files", "document", 0, _form(), multiple=True),
    "ask_logged_in": Target("ask_logged_in", "files", "document", 0, _form(), multiple=True),
    "reply_logged_in": Target("reply_logged_in", "files", "document", 0, _form(), multiple=True),
    "reply_guest": Target("reply_guest", "files", "document", 0, _form(), multiple=True),
    "admin_question_message": Target(
        "admin_question_message", "files", "document", 0, _form("message_form"), multiple=True
    ),
    "label_create": Target("label_create", "evidence", "evidence", MAX_EVIDENCE_BYTES, _form()),
    "label_edit": Target("label_edit", "evidence", "evidence", MAX_EVIDENCE_BYTES, _form()),
    "request_new_photo": Target(
        "request_new", "photo", "image", MAX_PHOTO_BYTES, _form(), extra={"photo_description": "x"}
    ),
    "request_edit_photo": Target(
        "request_edit", "photo", "image", MAX_PHOTO_BYTES, _form(), extra={"photo_description": "x"}
    ),
    "supplier_create_logo": Target("supplier_create", "logo", "logo", MAX_LOGO_BYTES, _form()),
    "supplier_edit_logo": Target("supplier_edit", "logo", "logo", MAX_LOGO_BYTES, _form()),
    "admin_supplier_import": Target(
        "admin_import_upload", "file", "table", importer.MAX_FILE_BYTES, _form("upload_form")
    ),
    "admin_event_image": Target(
        "admin_event_add",
        "image",
        "image",
        5 * 1024 * 1024,
        _admin_form,
        extra={"image_description": "Mensen aan tafel"},
    ),
}
# Attachments have the service point's limit, a setting.
SETTING_LIMIT = {"document"}
EXTENSION = {
    "document": ".pdf",
    "evidence": ".pdf",
    "image": ".png",
    "logo": ".png",
    "table": ".xlsx",
}


def valid_file(kind: str) -> tuple[str, bytes]:
    return {
        "document": ("offerte.pdf", PDF),
        "evidence": ("certificaat.pdf", PDF),
        "image": ("foto.png", image()),
        "logo": ("logo.png", image()),
        "table": ("leveranciers.csv", CSV),
    }[kind]


def oversized(kind: str, limit: int) -> bytes:
    """A file of the right type, one byte over the limit (padding after its end)."""
    start = {"document": PDF, "evidence": PDF, "table": CSV}.get(kind) or image()
    padding = b"\n" if kind == "table" else b"\x00"
    return start + padding * (limit + 1 - len(start))


HOSTILE = [
    "pe_executable",
    "elf_executable",
    "zip_bomb",
    "oversized",
    "zero_byte",
    "wrong_extension",
    "svg_script",
    "svg_named_as_allowed",
    "html_pdf_polyglot",
    "pixel_bomb",
]


def hostile_file(kind: str, name: str, limit: int, bomb: bytes) -> tuple[str, bytes]:
    ext = EXTENSION[kind]
    return {
        "pe_executable": (f"factuur{ext}", PE),
        "elf_executable": (f"scan{ext}", ELF),
        "zip_bomb": ("lijst.xlsx", bomb),
        "oversized": (f"groot{ext}", None),
        "zero_byte": (f"leeg{ext}", b""),
        "wrong_extension": ("setup.exe", valid_file(kind)[1]),
        "svg_script": ("tekening.svg", SVG),
        "svg_named_as_allowed": (f"tekening{ext}", SVG),
        "html_pdf_polyglot": (f"document{ext}", POLYGLOT),
        "pixel_bomb": (f"foto{'.png' if kind in ('image', 'logo') else ext}", pixel_bomb()),
    }[name]


class Uploads:
    """Builds and posts the target's form with a file."""

    def __init__(self, client, world: World, target: Target):
        self.client, self.world, self.target = client, world, target
        self.case = _upload_case(world, target.case)
        from django.conf import settings

        self.limit = (
            settings.SERVICEPOINT_MAX_ATTACHMENT_BYTES
            if target.kind in SETTING_LIMIT
            else target.limit
        )
        if self.case.user is not None:
            client.force_login(self.case.user)

    def post(self, name: str, content: bytes):
        upload = SimpleUploadedFile(name, content)
        value = [upload] if self.target.multiple else upload
        data = {**self.case.data, **self.target.extra, self.target.field: value}
        return self.client.post(self.case.url, data, headers=dict(self.case.headers))


def _upload_case(world: World, name: str):
    if name == "admin_import_upload":
        from .hostile import Case

        return Case(
            "/beheer/procurement/supplier/import/",
            {},
            user=world.coordinator,
            models=[Supplier, Label, Event],
        )
    if name == "admin_event_add":
        return _event_add_case(world)
    return world.case(name)


def _event_add_case(world: World):
    from .hostile import Case

    client = world.client
    client.force_login(world.coordinator)
    page = client.get("/beheer/events/event/add/")
    assert page.status_code == 200
    data = rendered_form(page.content.decode(), having=["title"]).data()
    start = timezone.localtime() + timedelta(days=30)
    data.update(
        {
            "title": "Impactcafé Oosterpoort",
            "slug": "impactcafe-oosterpoort",
            "type": data.get("type") or "impactcafe",
            "description": "Ondernemers uit de wijk vertellen.",
            "starts_at_0": start.date().isoformat(),
            "starts_at_1": "19:30",
            "ends_at_0": start.date().isoformat(),
            "ends_at_1": "21:30",
            "venue": "Buurthuis",
        }
    )
    client.logout()
    return Case("/beheer/events/event/add/", data, user=world.coordinator, models=[Event])


def _refused(uploads: Uploads, response) -> set:
    assert response.status_code in (200, 400), response.status_code
    form = uploads.target.form(response)
    errors = form.errors.as_data().get(uploads.target.field, [])
    assert errors, (uploads.target.field, form.errors)
    assert all(error.messages for error in errors)
    return {error.code for error in errors}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_valid_file_is_accepted(client, media_root, target):
    uploads = Uploads(client, World(), TARGETS[target])
    name, content = valid_file(uploads.target.kind)
    response = uploads.post(name, content)
    if uploads.target.kind == "table":
        # The import shows what it would do first; nothing is stored before "apply".
        assert response.status_code == 200
        assert not response.context["upload_form"].errors
        assert response.context["plan"] is not None
        return
    assert response.status_code == 302, uploads.target.form(response).errors
    assert len(stored_files(media_root)) == 1


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_hostile_file_is_refused_and_nothing_stored(client, media_root, zip_bomb, target, hostile):
    uploads = Uploads(client, World(), TARGETS[target])
    name, content = hostile_file(uploads.target.kind, hostile, uploads.limit, zip_bomb)
    if content is None:
        content = oversized(uploads.target.kind, uploads.limit)
        assert len(content) == uploads.limit + 1
    before = counts(uploads.case.models)
    snapshot = uploads.case.snapshot() if uploads.case.snapshot else None
    files = stored_files(media_root)

    response = uploads.post(name, content)

    _refused(uploads, response)
    assert counts(uploads.case.models) == before
    if snapshot is not None:
        assert uploads.case.snapshot() == snapshot
    assert stored_files(media_root) == files
