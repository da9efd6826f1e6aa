"""The public ask flow (/servicepunt/vraag/): guests, logged-in entrepreneurs, bad input."""

import hashlib
import io
import re
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from servicepoint import guest_links, selectors
from servicepoint.models import Attachment, Question, Topic
from tests.factories import (
    KnowledgeArticleFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

ASK = "/servicepunt/vraag/"
SUBMITTED = "/servicepunt/vraag/verzonden/"
SCRIPT = "<script>alert(1)</script>"

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n"
    b"%%EOF\n"
)


def pdf(name="offerte.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def topic(db):
    return Topic.objects.get(slug="financiering")


@pytest.fixture
def guest_data(topic):
    return {
        "topic": topic.pk,
        "subject": "Subsidie voor een kringloopwinkel",
        "text": "Welke subsidies zijn er voor een sociale onderneming met leerwerkplekken?",
        "name": "Sanne de Vries",
        "email": "Sanne@Example.nl",
        "company_name": "Kringloop Noord",
        "kvk_number": "1234 5678",
        "preferred_contact": "email",
        "phone": "",
        "website": "",
    }


def confirmation_path() -> str:
    """The confirmation link in the newest delivered e-mail that has one (where the
    guest reads it: the database keeps only its hash)."""
    for message in reversed(mail.outbox):
        found = re.search(r"/servicepunt/vraag/bevestigen/[^/\s]+/", message.body)
        if found:
            return found.group(0)
    raise AssertionError("no confirmation e-mail was delivered")


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _nothing_stored():
    return (
        Question.objects.count(),
        Attachment.objects.count(),
        OutboxMessage.objects.count(),
    ) == (0, 0, 0)


# Guests -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_guest_asks_confirms_by_post_and_gets_one_receipt(
    client, guest_data, staff_with_totp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ASK, {**guest_data, "files": [pdf()]})
    assert response.status_code == 302
    assert response["Location"] == SUBMITTED

    question = Question.objects.get()
    assert question.submitted_at is None  # not in the queue until confirmed
    assert question.email == "sanne@example.nl"
    assert question.kvk_number == "12345678"
    assert question.requester is None
    attachment = question.attachments.get()
    assert (attachment.original_name, attachment.size) == ("offerte.pdf", len(PDF))
    assert attachment.content_type == "application/pdf"
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF

    assert not selectors.questions_for_staff(staff_with_totp).exists()  # not in the queue
    kinds = list(OutboxMessage.objects.values_list("kind", flat=True))
    assert kinds == ["servicepoint/confirm_question"]  # no receipt, no staff told yet
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sanne@example.nl"]

    page = client.get(SUBMITTED)
    assert page.status_code == 200
    assert page.context["question"] == question

    confirm_path = confirmation_path()
    token = token_of(confirm_path)
    assert question.confirmation_token_hash == hashlib.sha256(token.encode()).hexdigest()

    # A GET (a mail scanner opening the link) shows a button and changes nothing.
    shown = client.get(confirm_path)
    assert shown.status_code == 200
    assert '<form method="post">' in shown.content.decode()
    question.refresh_from_db()
    assert question.submitted_at is None
    assert OutboxMessage.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(confirm_path)
    question.refresh_from_db()
    assert confirmed.status_code == 302
    # The clean address of the question: no token in it; this browser holds a grant.
    assert confirmed["Location"] == f"/servicepunt/vraag/{question.uuid}/"
    assert question.confirmation_token_hash == ""  # the link is used up
    assert question.submitted_at is not None
    assert question.first_response_due is not None and question.resolution_due is not None
    receipts = OutboxMessage.objects.filter(kind="servicepoint/receipt")
    assert receipts.count() == 1
    assert receipts.get().recipient == "sanne@example.nl"
    assert list(selectors.questions_for_staff(staff_with_totp)) == [question]
    # No routing rule for the topic: the account managers are told.
    assert OutboxMessage.objects.get(kind="servicepoint/new_question").recipient == (
        staff_with_totp.email
    )
    submitted_at = question.submitted_at

    # Confirming again (a second click) does not queue it again nor send a second receipt.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(confirm_path)
    assert again.status_code == 404
    assert "servicepoint/confirm_used.html" in [t.name for t in again.templates]
    question.refresh_from_db()
    assert question.submitted_at == submitted_at
    assert OutboxMessage.objects.filter(kind="servicepoint/receipt").count() == 1

    guest_page = client.get(confirmed["Location"])
    assert guest_page.status_code == 200
    assert "offerte.pdf" in guest_page.content.decode()


@pytest.mark.django_db
def test_unknown_confirmation_token_is_404(client):
    assert client.get("/servicepunt/vraag/bevestigen/niet-bestaand/").status_code == 404
    assert client.post("/servicepunt/vraag/bevestigen/niet-bestaand/").status_code == 404


@pytest.mark.django_db
def test_the_raw_confirmation_token_is_not_in_the_question_row(
    client, guest_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ASK, guest_data)
    token = token_of(confirmation_path())
    row = Question.objects.values().get()
    assert not [name for name, value in row.items() if token in str(value)]
    assert "confirmation_token" not in row
    assert row["confirmation_token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    # The hash is what the database holds; it is not a link that opens anything.
    assert (
        client.get(f"/servicepunt/vraag/bevestigen/{row['confirmation_token_hash']}/").status_code
        == 404
    )


@pytest.mark.django_db
def test_the_confirmation_link_works_once(client, guest_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ASK, guest_data)
    path = confirmation_path()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert client.get(confirmed["Location"]).status_code == 200  # shows the "thank you"
    question = Question.objects.get()
    assert question.is_confirmed
    receipts = OutboxMessage.objects.filter(kind="servicepoint/receipt")
    assert receipts.count() == 1

    # Opened again later (from another browser too): a kind "already used", never a 500,
    # and the question is not confirmed a second time.
    for visitor in (client, Client()):
        for method in (visitor.get, visitor.post):
            with django_capture_on_commit_callbacks(execute=True):
                response = method(path)
            assert response.status_code == 404
            assert "servicepoint/confirm_used.html" in [t.name for t in response.templates]
            assert question.reference not in response.content.decode()
    assert receipts.count() == 1
    assert AuditLogEntry.objects.filter(action="question.submitted").count() == 1


@pytest.mark.django_db
def test_the_confirmation_link_is_not_a_link_to_the_question(
    client, guest_data, django_capture_on_commit_callbacks
):
    """The token of the confirmation e-mail opens only the confirmation page."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ASK, guest_data)
    path = confirmation_path()
    token = token_of(path)
    client.post(path)
    question = Question.objects.get()
    visitor = Client()
    assert visitor.get(f"/servicepunt/vraag/{question.uuid}/{token}/").status_code == 404
    assert visitor.get(f"/servicepunt/vraag/{question.uuid}/").status_code == 404


@pytest.mark.django_db
def test_no_link_opens_an_unconfirmed_question(client, guest_data):
    client.post(ASK, guest_data)
    question = Question.objects.get()
    # A valid signature cannot be had from any e-mail before confirmation; made here, it
    # still opens nothing, and nothing offers to mail one.
    for method in (client.get, client.post):
        assert method(guest_links.access_path(question)).status_code == 404
    assert client.get(f"/servicepunt/vraag/{question.uuid}/").status_code == 404
    assert OutboxMessage.objects.count() == 1  # the confirmation e-mail only


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    [
        "x" * 65,  # longer than any token
        "x" * 5000,
        "abc%2Fdef",
        "..",
        "%E2%80%AEabc",
        "abc:def",
        "' OR 1=1 --",
    ],
)
def test_junk_confirmation_tokens_are_404_not_500(client, token):
    for method in (client.get, client.post):
        assert method(f"/servicepunt/vraag/bevestigen/{token}/").status_code == 404


@pytest.mark.django_db
def test_submitted_page_without_a_question_goes_back_to_the_form(client):
    response = client.get(SUBMITTED)
    assert response.status_code == 302 and response["Location"] == ASK


# Logged-in entrepreneurs ------------------------------------------------------------


@pytest.mark.django_db
def test_logged_in_entrepreneur_asks_as_themselves_and_enters_the_queue(
    client, user, topic, django_capture_on_commit_callbacks
):
    client.force_login(user)
    form = client.get(ASK).context["form"]
    assert "name" not in form.fields and "email" not in form.fields
    assert "organisation" not in form.fields  # no organisations: company fields instead
    assert "company_name" in form.fields

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ASK,
            {
                "topic": topic.pk,
                "subject": "Pand huren",
                "text": "Waar kan ik terecht?",
                # Sent anyway by a crafted request: ignored, the account decides.
                "name": "Iemand Anders",
                "email": "ander@example.nl",
                "preferred_contact": "email",
            },
        )
    assert response.status_code == 302 and response["Location"] == SUBMITTED
    question = Question.objects.get()
    assert question.requester == user
    assert (question.name, question.email) == (user.get_full_name(), user.email)
    assert question.submitted_at is not None
    assert (
        OutboxMessage.objects.filter(kind="servicepoint/receipt", recipient=user.email).count() == 1
    )
    assert not OutboxMessage.objects.filter(kind="servicepoint/confirm_question").exists()
    assert not OutboxMessage.objects.filter(recipient="ander@example.nl").exists()


@pytest.mark.django_db
def test_organisation_choice_offers_only_own_organisations(client, user, topic):
    mine = MembershipFactory(user=user, organisation=OrganisationFactory(name="Mijn BV"))
    theirs = OrganisationFactory(name="Andermans BV")
    MembershipFactory(organisation=theirs)
    client.force_login(user)

    form = client.get(ASK).context["form"]
    assert list(form.fields["organisation"].queryset) == [mine.organisation]
    assert "company_name" not in form.fields and "kvk_number" not in form.fields

    data = {
        "topic": topic.pk,
        "subject": "Inkoop",
        "text": "Hoe schrijf ik in?",
        "preferred_contact": "email",
    }
    response = client.post(ASK, {**data, "organisation": theirs.pk})
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert _nothing_stored()

    response = client.post(ASK, {**data, "organisation": mine.organisation.pk})
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.organisation == mine.organisation
    assert question.company_name == "Mijn BV"
    assert question.kvk_number == mine.organisation.kvk_number


# Bad input --------------------------------------------------------------------------


def _zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def zip_bomb_docx() -> bytes:
    """A structurally valid .docx whose one entry unpacks to 200 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        chunk = bytes(1024 * 1024)
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as entry:
            for _ in range(200):
                entry.write(chunk)
    return buffer.getvalue()


def _files(*uploads):
    return {"files": list(uploads)}


BAD_INPUT = {
    "text_too_long": ({"text": "x" * 100_000}, "text"),
    "subject_too_long": ({"subject": "s" * 201}, "subject"),
    "bad_email": ({"email": "sanne-at-example"}, "email"),
    "bad_kvk": ({"kvk_number": "1234"}, "kvk_number"),
    "phone_without_number": ({"preferred_contact": "phone", "phone": ""}, "phone"),
    "unknown_topic": ({"topic": 999_999}, "topic"),
    "unknown_contact_way": ({"preferred_contact": "pigeon"}, "preferred_contact"),
    "exe_named_pdf": (
        _files(
            SimpleUploadedFile(
                "offerte.pdf",
                b"MZ\x90\x00\x03\x00\x00\x00" + bytes(500),
                content_type="application/pdf",
            )
        ),
        "files",
    ),
    "exe": (_files(SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + bytes(100))), "files"),
    "empty_file": (_files(SimpleUploadedFile("leeg.pdf", b"")), "files"),
    "four_files": (_files(*(pdf(f"bijlage{i}.pdf") for i in range(4))), "files"),
    "docx_not_a_zip": (
        _files(SimpleUploadedFile("plan.docx", b"Dit is gewoon tekst, geen Word." * 10)),
        "files",
    ),
    "zip_without_word_parts": (
        _files(SimpleUploadedFile("plan.docx", _zip_bytes({"readme.txt": b"hallo"}))),
        "files",
    ),
    # A general error, not one on the hidden field: the bot learns nothing from it.
    "honeypot": ({"website": "http://spam.example"}, "__all__"),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field"), list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_bad_input_is_refused_on_its_field_and_nothing_is_stored(
    client, guest_data, changes, field, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ASK, {**guest_data, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert _nothing_stored()
    assert mail.outbox == []
    assert "error-summary" in response.content.decode()


EMPTY_FORM = {
    name: ""
    for name in (
        "subject",
        "text",
        "name",
        "email",
        "company_name",
        "kvk_number",
        "phone",
        "website",
    )
}


@pytest.mark.django_db
def test_empty_form_names_every_required_field(client):
    # What a browser sends for the untouched form: every text field, empty; no radio.
    response = client.post(ASK, EMPTY_FORM)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"topic", "subject", "text", "name", "email", "preferred_contact"} <= set(errors)
    assert all(
        errors[name].as_data()[0].code == "required"
        for name in ("topic", "subject", "text", "name", "email")
    )
    assert _nothing_stored()


@pytest.mark.django_db
def test_whitespace_only_subject_and_text_are_refused(client, guest_data):
    response = client.post(ASK, {**guest_data, "subject": "   ", "text": "\n\t "})
    assert response.status_code == 200
    assert {"subject", "text"} <= set(response.context["form"].errors)
    assert _nothing_stored()


@pytest.mark.django_db
def test_file_over_the_size_limit_is_refused(client, guest_data, settings):
    settings.SERVICEPOINT_MAX_ATTACHMENT_BYTES = 1000
    big = PDF + b"%" + b"x" * (2000 - len(PDF) - 1)
    assert len(big) == 2000
    response = client.post(ASK, {**guest_data, **_files(pdf("groot.pdf", big))})
    assert response.status_code == 200
    errors = response.context["form"].errors["files"]
    assert len(errors) == 1 and "groot.pdf" in errors[0]
    assert _nothing_stored()


@pytest.mark.django_db
def test_zip_bomb_docx_is_refused(client, guest_data, zip_bomb_docx):
    assert len(zip_bomb_docx) < 1024 * 1024  # small on the wire...
    upload = SimpleUploadedFile("plan.docx", zip_bomb_docx)
    response = client.post(ASK, {**guest_data, **_files(upload)})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "files" in errors
    assert _nothing_stored()


@pytest.mark.django_db
def test_three_valid_files_are_accepted(client, guest_data):
    docx = _zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    uploads = [pdf("a.pdf"), pdf("b.pdf"), SimpleUploadedFile("plan.docx", docx)]
    response = client.post(ASK, {**guest_data, **_files(*uploads)})
    assert response.status_code == 302
    names = sorted(Attachment.objects.values_list("original_name", flat=True))
    assert names == ["a.pdf", "b.pdf", "plan.docx"]
    assert Attachment.objects.get(original_name="plan.docx").content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


@pytest.mark.django_db
def test_script_in_subject_and_text_is_stored_but_rendered_escaped(
    client, guest_data, staff_with_totp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ASK,
            {
                **guest_data,
                "subject": f"Hallo {SCRIPT}",
                "text": f"Mijn vraag {SCRIPT}\nTweede regel",
            },
        )
    assert response.status_code == 302
    question = Question.objects.get()
    assert SCRIPT in question.subject and SCRIPT in question.text

    assert SCRIPT not in client.get(SUBMITTED).content.decode()
    confirm_path = confirmation_path()
    pages = [client.get(confirm_path)]
    assert client.post(confirm_path)["Location"] == f"/servicepunt/vraag/{question.uuid}/"
    pages.append(client.get(f"/servicepunt/vraag/{question.uuid}/"))
    for page in pages:
        path = page.request["PATH_INFO"]
        assert page.status_code == 200, path
        html = page.content.decode()
        assert SCRIPT not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path

    client.force_login(staff_with_totp)
    for path in (
        f"/beheer/servicepoint/question/{question.pk}/change/",
        "/beheer/servicepoint/question/",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.content.decode()
        assert SCRIPT not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


# The knowledge base while asking ----------------------------------------------------


@pytest.fixture
def articles(topic):
    found = KnowledgeArticleFactory(
        topic=topic,
        title="Geld voor sociale ondernemers",
        slug="geld-sociaal",
        summary="Welke regelingen er zijn",
        body="De gemeente kent verschillende regelingen en subsidies voor sociale ondernemingen.",
    )
    other = KnowledgeArticleFactory(
        topic=topic,
        title="Een pand vinden",
        slug="pand-vinden",
        summary="Bedrijfsruimte",
        body="Leegstaande winkels in de binnenstad.",
    )
    hidden = KnowledgeArticleFactory(
        topic=topic,
        title="Oude regeling",
        slug="oude-regeling",
        summary="Vervallen",
        body="Deze subsidies en regelingen bestaan niet meer.",
        is_published=False,
    )
    return found, other, hidden


@pytest.mark.django_db
def test_suggest_button_lists_articles_and_stores_nothing(client, guest_data, articles):
    found, other, hidden = articles
    response = client.post(
        ASK, {**guest_data, "text": "Is er een regeling voor mij?", "suggest": "1"}
    )
    assert response.status_code == 200
    assert list(response.context["suggestions"]) == [found]
    html = response.content.decode()
    assert found.title in html and found.get_absolute_url() in html
    assert other.title not in html and hidden.title not in html
    # The form comes back with what was typed, without complaining about anything.
    form = response.context["form"]
    assert not form.is_bound and form.initial["subject"] == guest_data["subject"]
    assert _nothing_stored()


@pytest.mark.django_db
def test_suggestions_partial_uses_dutch_stemming(client, articles):
    found, other, hidden = articles
    # "regelingen" in the body, "onderneming" typed: both reduce to the same Dutch stem.
    response = client.get("/servicepunt/kennisbank/suggesties/", {"q": "onderneming regeling"})
    assert response.status_code == 200
    assert list(response.context["suggestions"]) == [found]
    html = response.content.decode()
    assert found.title in html
    assert "<html" not in html  # a fragment, not a whole page

    nothing = client.get("/servicepunt/kennisbank/suggesties/", {"q": "a"})
    assert nothing.status_code == 200 and list(nothing.context["suggestions"]) == []
    hostile = client.get(
        "/servicepunt/kennisbank/suggesties/", {"q": "regeling & | ! ( ' \" :* <script>"}
    )
    assert hostile.status_code == 200


@pytest.mark.django_db
def test_suggestions_find_subsidies_by_subsidie(client, articles):
    found, other, hidden = articles
    response = client.get("/servicepunt/kennisbank/suggesties/", {"q": "subsidie"})
    assert response.status_code == 200
    assert list(response.context["suggestions"]) == [found]


@pytest.mark.django_db
def test_logged_in_suggest_keeps_fields_of_the_account(client, topic, articles):
    user = UserFactory(roles=[Role.ENTREPRENEUR])
    client.force_login(user)
    response = client.post(
        ASK,
        {
            "topic": topic.pk,
            "subject": "Geld",
            "text": "regelingen voor mijn bedrijf",
            "suggest": "1",
        },
    )
    assert response.status_code == 200
    # Words match as prefixes ("bedrijf" also finds "bedrijfsruimte"); the best match leads.
    assert list(response.context["suggestions"])[0] == articles[0]
    assert articles[2] not in response.context["suggestions"]
    assert "name" not in response.context["form"].fields
    assert _nothing_stored()
