"""NUL bytes are refused once, for every page (impactportal.middleware): in the address,
the query parameters and the form fields; never in what uploaded files contain."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from accounts.roles import Role
from impactportal.middleware import holds_nul
from servicepoint.models import Attachment, Question, Topic
from tests.factories import UserFactory

ASK = "/servicepunt/vraag/"
PDF_WITH_NULS = (
    b"%PDF-1.4\n\x00\x00\x00\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(db):
    return {
        "topic": Topic.objects.get(slug="financiering").pk,
        "subject": "Subsidie voor een kringloopwinkel",
        "text": "Welke subsidies zijn er voor een sociale onderneming?",
        "name": "Sanne de Vries",
        "email": "sanne@example.nl",
        "preferred_contact": "email",
        "website": "",
    }


def refused(response) -> bool:
    return (
        response.status_code == 400
        and [t.name for t in response.templates][0] == "400_nul_byte.html"
        and "\x00" not in response.content.decode()
    )


@pytest.mark.parametrize(
    "change",
    [
        {"text": "Mijn vraag\x00 met een NUL"},
        {"subject": "\x00"},
        {"website\x00": ""},  # a field name
    ],
    ids=["value", "only-nul", "name"],
)
def test_a_form_field_with_a_nul_byte_is_refused_and_nothing_stored(client, question, change):
    response = client.post(ASK, {**question, **change})
    assert refused(response)
    assert not Question.objects.exists()


def test_a_multipart_field_with_a_nul_byte_is_refused(client, question):
    upload = SimpleUploadedFile("offerte.pdf", PDF_WITH_NULS)
    response = client.post(ASK, {**question, "text": "a\x00b", "files": [upload]})
    assert refused(response)
    upload = SimpleUploadedFile("offerte.pdf", PDF_WITH_NULS)
    assert refused(client.post(ASK, {**question, "files\x00": [upload]}))
    assert not Question.objects.exists() and not Attachment.objects.exists()


def test_nul_bytes_inside_an_uploaded_file_are_its_own_business(client, question):
    response = client.post(
        ASK, {**question, "files": [SimpleUploadedFile("offerte.pdf", PDF_WITH_NULS)]}
    )
    assert response.status_code == 302
    with Attachment.objects.get().file.open("rb") as stored:
        assert stored.read() == PDF_WITH_NULS


@pytest.mark.parametrize(
    "query",
    [{"q": "sub\x00sidie"}, {"q": "\x00"}, {"q\x00": "x"}, {"q": ["subsidie", "\x00"]}],
    ids=["value", "only-nul", "name", "second-value"],
)
@pytest.mark.parametrize(
    "path", ["/servicepunt/kennisbank/", "/omarm/", "/goed-inkopen/", "/agenda/"]
)
def test_a_query_parameter_with_a_nul_byte_is_refused(client, path, query):
    assert refused(client.get(path, query))
    assert client.get(path, {"q": "subsidie"}).status_code == 200


def test_an_address_with_a_nul_byte_is_refused(client):
    assert refused(client.get(f"/servicepunt/kennisbank/{quote(chr(0))}/"))
    assert refused(client.get(f"/goed-inkopen/leverancier/a{quote(chr(0))}b/"))


def test_the_admin_is_covered_too(client):
    client.force_login(UserFactory(roles=[Role.ACCOUNT_MANAGER], staff=True, totp=True))
    url = "/beheer/servicepoint/question/"
    assert client.get(url, {"q": "subsidie"}).status_code == 200
    assert refused(client.get(url, {"q": "sub\x00sidie"}))


def test_the_page_is_in_the_visitor_s_language_with_the_portal_s_headers(client, settings):
    dutch = client.get("/omarm/", {"q": "\x00"})
    assert '<html lang="nl">' in dutch.content.decode()
    assert dutch["X-Frame-Options"] == settings.X_FRAME_OPTIONS
    assert dutch["Content-Security-Policy"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/omarm/", {"q": "\x00"})
    assert '<html lang="en">' in english.content.decode()
    assert "Nothing has been stored." in english.content.decode()


def test_holds_nul_reads_only_what_django_parsed_as_parameters():
    factory = RequestFactory()
    assert not holds_nul(factory.get("/", {"q": "subsidie"}))
    assert holds_nul(factory.get("/", {"q": "a\x00"}))
    # Only POST has form fields; other bodies are not read.
    assert not holds_nul(
        factory.put("/", "q=a%00", content_type="application/x-www-form-urlencoded")
    )
    assert holds_nul(factory.post("/", {"q": "a\x00"}))
    assert not holds_nul(factory.post("/", "\x00", content_type="application/json"))
