"""The links that let a guest reach their question (servicepoint.guest_links): a signed,
expiring token in each e-mail, exchanged once for a grant in the session; a page that
mails a new link when one has expired; and the migration from the old permanent token."""

import hashlib
import re
import secrets
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from impactportal.outbox.models import OutboxMessage
from servicepoint import guest_links, services
from servicepoint import retention as servicepoint_retention
from servicepoint.constants import PreferredContact, QuestionState
from servicepoint.models import Attachment, Message, Question, Topic
from tests.factories import QuestionFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
DAYS = 30  # settings.SERVICEPOINT_GUEST_LINK_DAYS, pinned below


@pytest.fixture(autouse=True)
def link_days(settings):
    settings.SERVICEPOINT_GUEST_LINK_DAYS = DAYS


def page_of(question) -> str:
    return f"/servicepunt/vraag/{question.uuid}/"


def links_in_mail(question) -> list[str]:
    """The links to the question in the e-mails delivered to its asker, oldest first."""
    pattern = re.compile(rf"/servicepunt/vraag/{question.uuid}/[^/\s\"]+/")
    return [
        link
        for message in mail.outbox
        if question.email in message.to
        for link in dict.fromkeys(pattern.findall(message.body))
    ]


def attach(question, name="offerte.pdf") -> Attachment:
    attachment = Attachment(
        question=question, original_name=name, content_type="application/pdf", size=len(PDF)
    )
    attachment.file.save(name, ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def download(client, attachment, **params):
    response = client.get(attachment.get_absolute_url(), params)
    if response.status_code == 200:
        b"".join(response.streaming_content)  # closes the file
    return response


@pytest.fixture
def asked(db, django_capture_on_commit_callbacks):
    """A guest's question, confirmed with the link in the e-mail; the receipt is delivered."""
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.question_submit(
            topic=Topic.objects.get(slug="financiering"),
            subject="Subsidie voor een kringloopwinkel",
            text="Welke subsidies zijn er voor een sociale onderneming?",
            name="Sanne de Vries",
            email="sanne@example.nl",
            preferred_contact=PreferredContact.EMAIL,
        )
        question = services.question_confirm(token=submission.confirmation_token)
    return question


# A valid link ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_link_is_exchanged_for_a_grant_and_a_clean_address(
    client, asked, django_capture_on_commit_callbacks
):
    attachment = attach(asked)
    [link] = links_in_mail(asked)  # the receipt
    token = link.rstrip("/").rsplit("/", 1)[1]

    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == page_of(asked)
    assert token not in response["Location"]

    page = client.get(page_of(asked))
    assert page.status_code == 200
    html = page.content.decode()
    assert asked.subject in html and "offerte.pdf" in html
    assert token not in html and "?token=" not in html
    assert f'href="{attachment.get_absolute_url()}"' in html
    assert download(client, attachment).status_code == 200

    # Replies go to the clean address and come back to it.
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(page_of(asked), {"body": "Hierbij mijn jaarcijfers."})
    assert reply.status_code == 302 and reply["Location"] == page_of(asked)
    assert Message.objects.get(question=asked).body == "Hierbij mijn jaarcijfers."

    # Another browser without the link has nothing.
    stranger = Client()
    assert stranger.get(page_of(asked)).status_code == 404
    assert download(stranger, attachment).status_code == 404
    assert download(stranger, attachment, token=token).status_code == 404


@pytest.mark.django_db
def test_every_mail_to_the_asker_has_a_working_link(asked, django_capture_on_commit_callbacks):
    manager = UserFactory(staff=True, totp=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_reply(question=asked, author=manager, body="Ons antwoord.")
        services.question_transition(
            question=asked, to=QuestionState.WAITING, actor=manager, reason="Graag cijfers"
        )
    kinds_sent = set(
        OutboxMessage.objects.filter(recipient=asked.email).values_list("kind", flat=True)
    )
    assert {"servicepoint/receipt", "servicepoint/reply", "servicepoint/state_changed"} <= (
        kinds_sent
    )
    links = links_in_mail(asked)
    assert len(links) == 3
    asked.refresh_from_db()
    for link in links:
        assert asked.access_key not in link  # the key signs; it is never sent
        visitor = Client()
        assert visitor.get(link)["Location"] == page_of(asked)
        assert visitor.get(page_of(asked)).status_code == 200


@pytest.mark.django_db
def test_the_link_is_stored_nowhere(asked):
    [link] = links_in_mail(asked)
    token = link.rstrip("/").rsplit("/", 1)[1]
    row = Question.objects.values().get(pk=asked.pk)
    assert not [name for name, value in row.items() if token in str(value)]
    assert row["confirmation_token_hash"] == ""  # used up when the question was confirmed


@pytest.mark.django_db
def test_a_logged_in_asker_is_sent_to_my_questions(client, user):
    question = QuestionFactory(requester=user)
    client.force_login(user)
    mine = f"/servicepunt/mijn-vragen/{question.uuid}/"
    assert client.get(guest_links.access_path(question))["Location"] == mine
    assert client.get(page_of(question))["Location"] == mine
    with time_machine.travel(timezone.now() - timedelta(days=DAYS + 1)):
        expired = guest_links.access_path(question)
    assert client.get(expired)["Location"] == mine


# Wrong links -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_link_opens_only_its_own_question(client):
    mine, theirs = QuestionFactory(requester=None), QuestionFactory(requester=None)
    their_file = attach(theirs)
    my_token = guest_links.access_token(mine)
    for method in (client.get, client.post):
        assert method(f"/servicepunt/vraag/{theirs.uuid}/{my_token}/").status_code == 404
    assert client.get(guest_links.access_path(mine)).status_code == 302  # my grant
    assert client.get(page_of(mine)).status_code == 200
    assert client.get(page_of(theirs)).status_code == 404
    assert client.post(page_of(theirs), {"body": "Hallo"}).status_code == 404
    assert download(client, their_file).status_code == 404
    assert not Message.objects.exists()
    assert not OutboxMessage.objects.exists()


def _tampered(token: str) -> list[str]:
    timestamp, signature = token.split(":")
    older = signing.b62_encode(signing.b62_decode(timestamp) - 86400 * 40)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return [f"{older}:{signature}", f"{timestamp}:{flipped}", f"{timestamp}:{signature[:-1]}"]


@pytest.mark.django_db
def test_a_forged_or_tampered_link_is_404_never_the_expired_page(client):
    question = QuestionFactory(requester=None)
    for token in _tampered(guest_links.access_token(question)):
        for method in (client.get, client.post):
            response = method(f"/servicepunt/vraag/{question.uuid}/{token}/")
            assert response.status_code == 404, token
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_link_to_an_unknown_question_is_404(client):
    question = QuestionFactory(requester=None)
    token = guest_links.access_token(question)
    other_uuid = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/servicepunt/vraag/{other_uuid}/{token}/").status_code == 404
    assert client.get(f"/servicepunt/vraag/{other_uuid}/").status_code == 404


JUNK = {
    "overlong": "a" * 5000,
    "overlong_signature": "1abc:" + "a" * 500,
    "colons": ":::",
    "empty_parts": ":",
    "space": "abc%20def",
    "unicode": "%E2%80%AE" + "a" * 42,
    "dots": "..",
    "quote": "%27%20OR%201=1",
    "old_length_with_colon": "a" * 21 + ":" + "a" * 21,
}


@pytest.mark.django_db
@pytest.mark.parametrize("token", list(JUNK.values()), ids=list(JUNK))
def test_junk_in_the_link_is_404_never_500(client, token):
    question = QuestionFactory(requester=None)
    for method in (client.get, client.post):
        assert method(f"/servicepunt/vraag/{question.uuid}/{token}/").status_code == 404
        assert method(f"/servicepunt/vraag/bevestigen/{token}/").status_code == 404
    assert not OutboxMessage.objects.exists()


# Expired links ---------------------------------------------------------------------------


def _expired_link(question) -> str:
    with time_machine.travel(timezone.now() - timedelta(days=DAYS, minutes=1)):
        return guest_links.access_path(question)


def _stable(response) -> str:
    """The page without what differs on every response (the masked CSRF token)."""
    return re.sub(r'(csrfmiddlewaretoken" value=)"[^"]*"', r"\1", response.content.decode())


@pytest.mark.django_db
def test_an_expired_link_offers_a_new_one_by_mail(
    client, asked, django_capture_on_commit_callbacks
):
    link = _expired_link(asked)
    page = client.get(link)
    assert page.status_code == 200
    assert "servicepoint/link_expired.html" in [t.name for t in page.templates]
    html = page.content.decode()
    # Nothing about the question or its asker: an old link may be in other hands.
    for secret in (asked.email, asked.subject, asked.reference, asked.name):
        assert secret not in html
    assert '<form method="post">' in html
    assert client.get(page_of(asked)).status_code == 404  # no grant from an expired link

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(link)
    assert sent.status_code == 200
    assert "servicepoint/link_sent.html" in [t.name for t in sent.templates]
    assert asked.email not in sent.content.decode()
    new_links = OutboxMessage.objects.filter(kind="servicepoint/new_link")
    assert list(new_links.values_list("recipient", flat=True)) == ["sanne@example.nl"]  # stored
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sanne@example.nl"]

    # The new link works, in any browser.
    [fresh] = links_in_mail(asked)
    assert fresh != link
    visitor = Client()
    assert visitor.get(fresh)["Location"] == page_of(asked)
    assert visitor.get(page_of(asked)).status_code == 200

    # Asking again answers exactly the same (and mails again, within the rate limit).
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(link)
    assert (again.status_code, _stable(again)) == (sent.status_code, _stable(sent))
    assert new_links.count() == 2


@pytest.mark.django_db
def test_new_links_are_rate_limited(client, asked, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "servicepoint_guest_link": "2/h"}
    link = _expired_link(asked)
    for _ in range(2):
        assert client.post(link).status_code == 200
    before = OutboxMessage.objects.count()
    response = client.post(link)
    assert response.status_code == 429
    assert OutboxMessage.objects.count() == before
    assert OutboxMessage.objects.filter(kind="servicepoint/new_link").count() == 2
    assert client.get(link).status_code == 200  # reading the page is never limited


@pytest.mark.django_db
def test_the_grant_ends_when_the_link_would_have(client, asked):
    attachment = attach(asked)
    now = timezone.now()
    # Signed almost a whole period ago: the grant lasts only the hour that is left.
    with time_machine.travel(now - timedelta(days=DAYS) + timedelta(hours=1), tick=False):
        link = guest_links.access_path(asked)
    with time_machine.travel(now, tick=False):
        assert client.get(link).status_code == 302
        assert client.get(page_of(asked)).status_code == 200
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        assert client.get(page_of(asked)).status_code == 404
        assert download(client, attachment).status_code == 404
        assert client.get(link).status_code == 200  # now the "expired" page


# Anonymised questions ----------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymising_the_question_ends_every_link_and_grant(
    client, django_capture_on_commit_callbacks
):
    closed = timezone.now() - timedelta(days=800)
    question = QuestionFactory(requester=None, state=QuestionState.CLOSED, closed_at=closed)
    link, expired = guest_links.access_path(question), _expired_link(question)
    assert client.get(link).status_code == 302
    assert client.get(page_of(question)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        assert servicepoint_retention.purge_guest_questions(timezone.now(), dry_run=False) == 1
    question.refresh_from_db()
    assert question.text == ""

    assert client.get(page_of(question)).status_code == 404  # the grant
    for dead in (link, expired):
        for method in (client.get, client.post):
            assert method(dead).status_code == 404
    assert not OutboxMessage.objects.filter(kind="servicepoint/new_link").exists()


# Links from before the split -----------------------------------------------------------------


def _migrated(question) -> str:
    """The question as migration 0004 leaves a confirmed one; returns its old token."""
    old = secrets.token_urlsafe(32)
    Question.objects.filter(pk=question.pk).update(
        access_key=hashlib.sha256(old.encode()).hexdigest()
    )
    question.refresh_from_db()
    return old


@pytest.mark.django_db
def test_an_old_link_lands_on_the_new_link_page(client, asked, django_capture_on_commit_callbacks):
    old = _migrated(asked)
    other = QuestionFactory(requester=None)
    other_old = _migrated(other)
    attachment = attach(asked)
    assert download(client, attachment, token=old).status_code == 404  # as it used to be sent

    page = client.get(f"{page_of(asked)}{old}/")
    assert page.status_code == 200
    assert "servicepoint/link_expired.html" in [t.name for t in page.templates]
    assert client.get(page_of(asked)).status_code == 404  # it opens nothing itself
    # Any other token of that form is a 404: an old link is recognised, not guessed.
    for token in (
        secrets.token_urlsafe(32),
        other_old,
        old[:-1] + ("A" if old[-1] != "A" else "B"),
    ):
        assert client.get(f"{page_of(asked)}{token}/").status_code == 404

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{page_of(asked)}{old}/").status_code == 200
    [fresh] = links_in_mail(asked)
    assert Client().get(fresh)["Location"] == page_of(asked)


@pytest.mark.django_db
def test_the_migration_keeps_pending_confirmations_and_recognises_old_links(client):
    executor = MigrationExecutor(connection)
    before = [("servicepoint", "0003_message_articles")]
    after = [("servicepoint", "0004_split_guest_tokens")]
    with connection.cursor() as cursor:
        # Rows are written and the table altered in the one transaction of the test:
        # foreign keys are checked at once, or PostgreSQL refuses the ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldQuestion = old_apps.get_model("servicepoint", "Question")
    topic_id = old_apps.get_model("servicepoint", "Topic").objects.get(slug="financiering").pk
    tokens = {name: secrets.token_urlsafe(32) for name in ("pending", "confirmed", "other")}
    for name, token in tokens.items():
        OldQuestion.objects.create(
            topic_id=topic_id,
            reference=f"SP-OUD-{name}",
            subject=f"Oude vraag {name}",
            text="Tekst",
            name="Gast",
            email="gast@example.nl",
            confirmation_token=token,
            submitted_at=None if name == "pending" else timezone.now(),
        )

    executor.loader.build_graph()
    executor.migrate(after)

    questions = {name: Question.objects.get(reference=f"SP-OUD-{name}") for name in tokens}
    pending, confirmed = questions["pending"], questions["confirmed"]
    digest = {name: hashlib.sha256(token.encode()).hexdigest() for name, token in tokens.items()}
    assert pending.confirmation_token_hash == digest["pending"]
    assert confirmed.confirmation_token_hash == questions["other"].confirmation_token_hash == ""
    assert confirmed.access_key == digest["confirmed"]
    assert len({q.access_key for q in questions.values()}) == 3
    assert pending.access_key != digest["pending"]
    for question in questions.values():
        row = Question.objects.values().get(pk=question.pk)
        assert not [value for value in row.values() if str(value) in tokens.values()]

    # The pending confirmation link still works (once); the old link of the confirmed
    # question offers a new link; the old token of the pending one opens nothing.
    assert client.get(f"/servicepunt/vraag/bevestigen/{tokens['pending']}/").status_code == 200
    assert client.post(f"/servicepunt/vraag/bevestigen/{tokens['pending']}/").status_code == 302
    old_link = client.get(f"{page_of(confirmed)}{tokens['confirmed']}/")
    assert old_link.status_code == 200
    assert "servicepoint/link_expired.html" in [t.name for t in old_link.templates]
    assert client.get(f"{page_of(questions['other'])}{tokens['confirmed']}/").status_code == 404

    # Backwards: the old tokens cannot come back from their hashes; each gets a new one.
    executor.loader.build_graph()
    executor.migrate(before)
    restored = dict(
        OldQuestion.objects.filter(reference__startswith="SP-OUD-").values_list(
            "reference", "confirmation_token"
        )
    )
    assert len(set(restored.values())) == 3
    assert not set(restored.values()) & set(tokens.values())
    executor.loader.build_graph()
    executor.migrate(after)
