"""The upload checks every upload field uses (impactportal.uploads): documents and images,
each against the policy of its call site."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from impactportal.uploads import (
    DOCUMENT_TYPES,
    MAX_IMAGE_PIXELS,
    NOT_AN_IMAGE,
    DocumentPolicy,
    ImagePolicy,
    check_document,
    check_image,
    open_zip,
    with_random_name,
)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(400)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp|gif)$")

ALL_DOCUMENTS = DocumentPolicy(
    max_bytes=1000, extensions=DOCUMENT_TYPES.keys(), wrong_type="%(name)s: wrong type"
)
PDF_ONLY = DocumentPolicy(max_bytes=1000, extensions={".pdf"}, wrong_type="Only PDF, please.")
IMAGES = ImagePolicy(max_bytes=100_000)
LOGO = ImagePolicy(
    max_bytes=100_000,
    formats={"PNG", "JPEG"},
    name_must_match=True,
    wrong_type="PNG or JPEG, please.",
    too_large="The logo is %(size)s; at most %(max)s.",
)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def image(image_format: str = "PNG", size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format=image_format)
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
ODT = zip_of({"mimetype": DOCUMENT_TYPES[".odt"].encode(), "content.xml": b"<office/>"})


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(1000)))
        + chunk(b"IEND", b"")
    )


def refusal(check, uploaded, policy) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        check(uploaded, policy)
    return refused.value


# Documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Offerte.PDF", PDF, "application/pdf"),
        ("scan.png", image("PNG"), "image/png"),
        ("scan.jpeg", image("JPEG"), "image/jpeg"),
        ("plan.docx", DOCX, DOCUMENT_TYPES[".docx"]),
        ("plan.odt", ODT, DOCUMENT_TYPES[".odt"]),
        ("oud.doc", OLE2, "application/msword"),
    ],
)
def test_documents_whose_content_matches_their_name_are_accepted(name, content, content_type):
    uploaded = upload(f"../../{name}", content)
    checked = check_document(uploaded, ALL_DOCUMENTS)
    assert checked.name == name  # without the directories
    assert checked.extension == name[name.rindex(".") :].lower()
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert uploaded.read() == content  # read from the start by whoever stores it


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("factuur.pdf", EXE),
        ("setup.exe", EXE),
        ("tekening.svg", SVG),
        ("tekening.pdf", SVG),
        ("scan.pdf", image("PNG")),
        ("scan.png", PDF),
        ("scan.png", image("JPEG")),
        ("document.pdf", b"<html><script>alert(1)</script><!--" + PDF + b"-->"),
        ("plan.docx", b"Dit is gewoon tekst, geen Word." * 10),
        ("plan.docx", zip_of({"readme.txt": b"hallo"})),
        ("plan.xlsx", DOCX),  # a Word document named as a workbook
        ("plan.odt", zip_of({"mimetype": b"application/zip"})),
        ("oud.doc", PDF),
        ("zonder-extensie", PDF),
    ],
)
def test_disguised_documents_are_refused_with_the_policy_message(name, content):
    refused = refusal(check_document, upload(name, content), ALL_DOCUMENTS)
    assert refused.code == "file_type"
    assert refused.messages == [f"{name}: wrong type"]


def test_a_narrower_policy_refuses_other_documents():
    assert check_document(upload("a.pdf", PDF), PDF_ONLY).content_type == "application/pdf"
    for name, content in (("plan.docx", DOCX), ("scan.png", image())):
        refused = refusal(check_document, upload(name, content), PDF_ONLY)
        assert (refused.code, refused.messages) == ("file_type", ["Only PDF, please."])


def test_the_size_limit_is_the_policy_s():
    exactly = PDF + b"%" * (1000 - len(PDF))
    assert check_document(upload("a.pdf", exactly), ALL_DOCUMENTS).size == 1000
    refused = refusal(check_document, upload("groot.pdf", exactly + b"%"), ALL_DOCUMENTS)
    assert refused.code == "file_too_large"
    assert "groot.pdf" in refused.messages[0]
    larger = DocumentPolicy(max_bytes=2000, extensions={".pdf"}, wrong_type="PDF")
    assert check_document(upload("a.pdf", exactly + b"%"), larger).size == 1001


def test_an_empty_file_is_refused():
    refused = refusal(check_document, upload("leeg.pdf", b""), ALL_DOCUMENTS)
    assert refused.code == "empty_file" and "leeg.pdf" in refused.messages[0]


def test_a_policy_with_an_unknown_type_is_a_programming_error():
    with pytest.raises(ValueError):
        DocumentPolicy(max_bytes=1, extensions={".exe"}, wrong_type="")
    with pytest.raises(ValueError):
        ImagePolicy(max_bytes=1, formats={"TIFF"})


# Zip bombs ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A structurally valid .docx whose one entry unpacks to 101 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        chunk = bytes(1024 * 1024)
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as entry:
            for _ in range(101):
                entry.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(zip_bomb):
    assert len(zip_bomb) < 1024 * 1024
    policy = DocumentPolicy(max_bytes=1024 * 1024, extensions={".docx"}, wrong_type="type")
    refused = refusal(check_document, upload("plan.docx", zip_bomb), policy)
    assert refused.code == "zip_bomb" and "plan.docx" in refused.messages[0]


def test_a_zip_with_too_many_entries_is_refused():
    entries = {f"word/{n}.xml": b"" for n in range(2001)}
    crowded = zip_of({"[Content_Types].xml": b"<Types/>", **entries})
    policy = DocumentPolicy(max_bytes=len(crowded), extensions={".docx"}, wrong_type="type")
    assert refusal(check_document, upload("plan.docx", crowded), policy).code == "zip_bomb"


def test_open_zip_takes_the_limits_of_its_caller():
    workbook = zip_of({"xl/workbook.xml": bytes(5000)})
    with open_zip(io.BytesIO(workbook), name="lijst.xlsx") as archive:
        assert archive.namelist() == ["xl/workbook.xml"]
    with pytest.raises(ValidationError) as refused:
        open_zip(io.BytesIO(workbook), name="lijst.xlsx", max_unpacked_bytes=4999)
    assert refused.value.code == "zip_bomb"
    with pytest.raises(ValidationError):
        open_zip(io.BytesIO(DOCX), name="plan.docx", max_entries=1)
    with pytest.raises(zipfile.BadZipFile):
        open_zip(io.BytesIO(PDF), name="lijst.xlsx")


# Images ------------------------------------------------------------------------------------


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "GIF"])
def test_images_are_stored_under_a_random_name_with_the_format_found(image_format):
    content = image(image_format)
    uploaded = check_image(upload("Mijn foto.bmp.exe.png", content), IMAGES)
    assert RANDOM_NAME.match(uploaded.name), uploaded.name
    assert uploaded.name.endswith({"JPEG": ".jpg"}.get(image_format, f".{image_format.lower()}"))
    assert uploaded.read() == content


def test_the_content_decides_the_extension_not_the_name():
    uploaded = check_image(upload("folder.pdf", image("GIF")), IMAGES)
    assert uploaded.name.endswith(".gif")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("foto.jpg", EXE),
        ("foto.png", SVG),
        ("foto.png", PDF),
        ("foto.png", image("PNG")[:40] + bytes(200)),  # a PNG header, a broken body
        ("foto.tiff", image("TIFF")),
        ("foto.bmp", image("BMP")),
        ("foto.ico", image("ICO")),
    ],
)
def test_what_is_no_allowed_image_is_refused(name, content):
    refused = refusal(check_image, upload(name, content), IMAGES)
    assert refused.code == "file_type"
    assert refused.messages == [str(NOT_AN_IMAGE)]


def test_a_narrower_policy_takes_only_its_formats_and_may_check_the_name():
    assert check_image(upload("logo.PNG", image("PNG")), LOGO).name.endswith(".png")
    assert check_image(upload("logo.jpeg", image("JPEG")), LOGO).name.endswith(".jpg")
    for name, content in (
        ("logo.gif", image("GIF")),
        ("logo.webp", image("WEBP")),
        ("logo.png", image("JPEG")),  # the name says otherwise
        ("logo.pdf", image("PNG")),
    ):
        refused = refusal(check_image, upload(name, content), LOGO)
        assert (refused.code, refused.messages) == ("file_type", ["PNG or JPEG, please."]), name


def test_an_image_over_the_policy_size_is_refused_with_its_message():
    content = image("PNG")
    small = ImagePolicy(max_bytes=len(content) - 1, too_large=LOGO.too_large)
    refused = refusal(check_image, upload("logo.png", content), small)
    assert refused.code == "file_too_large"
    assert refused.messages[0].startswith("The logo is ")
    assert refusal(check_image, upload("leeg.png", b""), IMAGES).code == "empty_file"


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (7000, 6000),  # 42 million: above the portal's limit, below Pillow's own warning
        (60_000, 60_000),  # 3.6 billion: Pillow itself refuses to open it
    ],
)
def test_a_decompression_bomb_is_refused_by_its_pixel_count(width, height):
    bomb = png_claiming(width, height)
    assert len(bomb) < 2000 and width * height > MAX_IMAGE_PIXELS
    refused = refusal(check_image, upload("foto.png", bomb), IMAGES)
    assert refused.code == "too_many_pixels"
    assert "foto.png" in refused.messages[0]


def test_the_pixel_limit_is_per_policy():
    content = image("PNG", size=(40, 20))
    tiny = ImagePolicy(max_bytes=100_000, max_pixels=799)
    assert refusal(check_image, upload("foto.png", content), tiny).code == "too_many_pixels"
    exact = ImagePolicy(max_bytes=100_000, max_pixels=800)
    assert check_image(upload("foto.png", content), exact).name.endswith(".png")


def test_with_random_name():
    uploaded = with_random_name(upload("Certificaat PSO.pdf", PDF), ".pdf")
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", uploaded.name)
    assert with_random_name(upload("a.pdf", PDF), ".pdf").name != uploaded.name
