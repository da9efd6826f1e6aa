"""Who may see and do what in the service point: entrepreneurs, guests, directorate
contacts and account managers; internal notes; pinned query counts."""

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from servicepoint import guest_links, services
from servicepoint.constants import AssignmentState, MessageKind, QuestionState
from servicepoint.models import Assignment, Attachment, Message
from tests.factories import (
    AssignmentFactory,
    DirectorateFactory,
    QuestionFactory,
    UserFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
NOTE = "Interne notitie: klant is lastig, niet doorsturen (GEHEIM-7f3a)"
ADMIN = "/beheer/servicepoint/question/"


def attach(question, *, name="offerte.pdf", content=PDF, message=None) -> Attachment:
    attachment = Attachment(
        question=question,
        message=message,
        original_name=name,
        content_type="application/pdf",
        size=len(content),
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def with_totp(user):
    """Staff made by the factory have an authenticator app already; anyone else gets one."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user


def download(client, attachment, **params):
    response = client.get(attachment.get_absolute_url(), params)
    if response.status_code == 200:
        # Consuming the stream closes the response (and the file) through the test client.
        response.body = b"".join(response.streaming_content)
    return response


@pytest.fixture
def account_manager(db):
    return with_totp(
        UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER], name="Anna Accountmanager")
    )


@pytest.fixture
def directorates(db):
    return DirectorateFactory(name="Economie"), DirectorateFactory(name="Sociaal Domein")


@pytest.fixture
def contact(directorates):
    """A directorate contact of the first directorate, with an authenticator app."""
    return with_totp(
        UserFactory(
            staff=True,
            roles=[Role.DIRECTORATE_CONTACT],
            directorate=directorates[0],
            name="Dirk Directie",
        )
    )


# Entrepreneurs and guests -----------------------------------------------------------


@pytest.mark.django_db
def test_entrepreneur_cannot_open_another_entrepreneurs_question(client, user, other_user):
    theirs = QuestionFactory(requester=other_user)
    attachment = attach(theirs)
    client.force_login(user)
    assert client.get(f"/servicepunt/mijn-vragen/{theirs.uuid}/").status_code == 404
    response = client.post(f"/servicepunt/mijn-vragen/{theirs.uuid}/", {"body": "Ik ook!"})
    assert response.status_code == 404
    assert not Message.objects.exists()
    assert download(client, attachment).status_code == 404
    assert download(client, attachment, token="verkeerd").status_code == 404
    # Their question is not in my list either.
    assert theirs.reference not in client.get("/servicepunt/mijn-vragen/").content.decode()


def open_link(client, question):
    """Open a fresh link to the question, as from an e-mail: the session gets a grant."""
    response = client.get(guest_links.access_path(question))
    assert response.status_code == 302
    assert response["Location"] == f"/servicepunt/vraag/{question.uuid}/"
    return client.get(response["Location"])


@pytest.mark.django_db
def test_guest_page_needs_the_right_token(client):
    question = QuestionFactory(requester=None)
    other = QuestionFactory(requester=None)
    base = f"/servicepunt/vraag/{question.uuid}"
    token = guest_links.access_token(question)
    assert client.get(f"{base}/verkeerd-token/").status_code == 404
    assert client.get(f"{base}/{guest_links.access_token(other)}/").status_code == 404
    assert client.get(f"{base}/{token[:-1]}/").status_code == 404
    for path in (f"{base}/verkeerd-token/", f"{base}/"):  # the clean page: no grant yet
        response = client.post(path, {"body": "Hallo"})
        assert response.status_code == 404
    assert client.get(f"{base}/").status_code == 404
    assert not Message.objects.exists()
    assert open_link(client, question).status_code == 200


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login_for_my_questions(client):
    question = QuestionFactory()
    for path in ("/servicepunt/mijn-vragen/", f"/servicepunt/mijn-vragen/{question.uuid}/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/login/"), path


@pytest.mark.django_db
def test_owner_downloads_their_attachment(client, user):
    question = QuestionFactory(requester=user)
    content = PDF + b"%" + bytes(range(256))
    attachment = attach(question, name="jaarcijfers 2025.pdf", content=content)
    client.force_login(user)
    response = download(client, attachment)
    assert response.status_code == 200
    assert response.body == content
    assert response["Content-Disposition"].startswith("attachment;")
    assert "jaarcijfers" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_guest_token_opens_only_that_questions_attachments(client, account_manager):
    mine = QuestionFactory(requester=None)
    other = QuestionFactory(requester=None)
    on_question = attach(mine, name="mijn.pdf")
    reply = services.question_reply(question=mine, author=account_manager, body="Zie bijlage")
    on_reply = attach(mine, name="antwoord.pdf", message=reply)
    note = services.question_add_note(question=mine, author=account_manager, body=NOTE)
    on_note = attach(mine, name="intern.pdf", message=note)
    elsewhere = attach(other, name="ander.pdf")

    # Before the link is opened, not even its token in the query string helps.
    token = guest_links.access_token(mine)
    assert download(client, on_question).status_code == 404
    assert download(client, on_question, token=token).status_code == 404

    page = open_link(client, mine).content.decode()
    assert "mijn.pdf" in page and "antwoord.pdf" in page
    assert "intern.pdf" not in page and on_note.get_absolute_url() not in page
    assert download(client, on_question).status_code == 200
    assert download(client, on_reply).status_code == 200
    assert download(client, on_note).status_code == 404
    assert download(client, elsewhere).status_code == 404
    assert download(client, elsewhere, token=guest_links.access_token(other)).status_code == 404


@pytest.mark.django_db
def test_guest_page_links_attachments_without_a_token(client, account_manager):
    question = QuestionFactory(requester=None)
    attachment = attach(question, name="mijn.pdf")
    reply = services.question_reply(question=question, author=account_manager, body="Zie bijlage")
    on_reply = attach(question, name="antwoord.pdf", message=reply)
    page = open_link(client, question).content.decode()
    assert "?token=" not in page
    for linked in (attachment, on_reply):
        href = f'href="{linked.get_absolute_url()}"'
        assert href in page
        assert download(client, linked).status_code == 200


@pytest.mark.django_db
def test_the_asker_cannot_download_an_internal_notes_attachment(client, user, account_manager):
    question = QuestionFactory(requester=user)
    note = services.question_add_note(question=question, author=account_manager, body=NOTE)
    on_note = attach(question, name="intern.pdf", message=note)
    client.force_login(user)
    assert download(client, on_note).status_code == 404
    client.force_login(account_manager)
    assert download(client, on_note).status_code == 200


# Internal notes ---------------------------------------------------------------------


@pytest.mark.django_db
def test_internal_notes_never_reach_the_entrepreneur(
    client, user, account_manager, django_capture_on_commit_callbacks
):
    question = QuestionFactory(requester=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_add_note(question=question, author=account_manager, body=NOTE)
        services.question_reply(
            question=question, author=account_manager, body="Publiek antwoord van de gemeente"
        )
        services.question_transition(
            question=question,
            to=QuestionState.WAITING,
            actor=account_manager,
            reason="Graag uw jaarcijfers",
        )
        services.question_entrepreneur_reply(
            question=question, author=user, body="Hierbij mijn jaarcijfers"
        )
        services.question_add_note(
            question=question, author=account_manager, body=NOTE + " (tweede)"
        )
        services.question_transition(
            question=question, to=QuestionState.ANSWERED, actor=account_manager
        )
        services.question_close(question=question, actor=account_manager)
        services.follow_up_send(question_id=question.pk)
    assert Message.objects.filter(kind=MessageKind.INTERNAL_NOTE).count() == 2

    client.force_login(user)
    own_page = client.get(question.get_absolute_url())
    assert own_page.status_code == 200
    html = own_page.content.decode()
    assert "Publiek antwoord van de gemeente" in html
    assert "GEHEIM-7f3a" not in html

    export = client.get("/account/gegevens/")
    assert export.status_code == 200
    data = json.loads(export.content)["sections"]
    assert data["servicepoint_questions"][0]["reference"] == question.reference
    conversation = data["servicepoint_questions"][0]["conversation"]
    assert [m["kind"] for m in conversation] == ["reply", "entrepreneur"]
    assert "GEHEIM-7f3a" not in export.content.decode()

    client.logout()
    guest_page = open_link(client, question)
    assert guest_page.status_code == 200
    assert "Publiek antwoord van de gemeente" in guest_page.content.decode()
    assert "GEHEIM-7f3a" not in guest_page.content.decode()

    to_entrepreneur = OutboxMessage.objects.filter(recipient=question.email)
    kinds = set(to_entrepreneur.values_list("kind", flat=True))
    assert {"servicepoint/reply", "servicepoint/state_changed", "servicepoint/follow_up"} <= kinds
    for message in to_entrepreneur:
        for part in (message.subject, message.body_text, message.body_html):
            assert "GEHEIM-7f3a" not in part, message.kind
    delivered = [m for m in mail.outbox if question.email in m.to]
    assert len(delivered) == to_entrepreneur.count()
    for message in delivered:
        assert "GEHEIM-7f3a" not in message.body
        assert all("GEHEIM-7f3a" not in content for content, _type in message.alternatives)

    client.force_login(account_manager)
    admin_page = client.get(f"{ADMIN}{question.pk}/change/")
    assert admin_page.status_code == 200
    assert admin_page.content.decode().count("GEHEIM-7f3a") == 2


# Directorate contacts ---------------------------------------------------------------


@pytest.fixture
def routed(directorates, user):
    """Questions routed to the first directorate, the second, and both."""
    first, second = directorates
    ours = QuestionFactory(
        requester=user, subject="Vraag voor Economie", state=QuestionState.FORWARDED
    )
    theirs = QuestionFactory(subject="Vraag voor Sociaal Domein", state=QuestionState.FORWARDED)
    both = QuestionFactory(subject="Vraag voor beide", state=QuestionState.FORWARDED)
    QuestionFactory(subject="Vraag nergens heen")
    unconfirmed = QuestionFactory(guest=True, subject="Onbevestigde vraag")
    return {
        "ours": ours,
        "theirs": theirs,
        "both": both,
        "unconfirmed": unconfirmed,
        "ours_assignment": AssignmentFactory(question=ours, directorate=first),
        "theirs_assignment": AssignmentFactory(question=theirs, directorate=second),
        "both_first": AssignmentFactory(question=both, directorate=first),
        "both_second": AssignmentFactory(question=both, directorate=second),
        "unconfirmed_assignment": AssignmentFactory(question=unconfirmed, directorate=first),
    }


@pytest.mark.django_db
def test_directorate_contact_lists_only_their_directorates_questions(client, contact, routed):
    client.force_login(contact)
    response = client.get(ADMIN)
    assert response.status_code == 200
    listed = set(response.context["cl"].result_list)
    assert listed == {routed["ours"], routed["both"]}
    html = response.content.decode()
    assert routed["theirs"].reference not in html
    assert "Vraag nergens heen" not in html and "Onbevestigde vraag" not in html
    # No bulk actions for directorate contacts.
    assert response.context["action_form"] is None
    assert 'name="action"' not in html
    # Searching does not widen the set.
    found = client.get(ADMIN, {"q": "Vraag"})
    assert set(found.context["cl"].result_list) == {routed["ours"], routed["both"]}


@pytest.mark.django_db
def test_directorate_contact_gets_404_on_another_directorates_question(
    client, contact, routed, django_capture_on_commit_callbacks
):
    theirs = routed["theirs"]
    client.force_login(contact)
    assert client.get(f"{ADMIN}{theirs.pk}/change/").status_code == 404
    assert client.get(f"{ADMIN}{routed['unconfirmed'].pk}/change/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        posts = {
            "bericht": {
                "kind": "reply",
                "body": "Antwoord",
                "assignment": routed["theirs_assignment"].pk,
            },
            "doorzetten": {"directorates": [contact.directorate_id]},
            "status": {"state": QuestionState.IN_PROGRESS},
            "onderwerp": {"topic": theirs.topic_id},
            f"toewijzing/{routed['theirs_assignment'].pk}": {"state": "in_progress"},
        }
        for suffix, data in posts.items():
            assert client.post(f"{ADMIN}{theirs.pk}/{suffix}/", data).status_code == 404, suffix
    assert not Message.objects.exists()
    assert not OutboxMessage.objects.exists()
    theirs.refresh_from_db()
    assert theirs.state == QuestionState.FORWARDED
    assert Assignment.objects.filter(question=theirs).count() == 1
    assert routed["theirs_assignment"].state == AssignmentState.OPEN


@pytest.mark.django_db
def test_directorate_contact_cannot_route_or_change_state(client, contact, routed, directorates):
    ours = routed["ours"]
    client.force_login(contact)
    page = client.get(f"{ADMIN}{ours.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{ADMIN}{ours.pk}/doorzetten/" not in html
    assert f"{ADMIN}{ours.pk}/status/" not in html
    assert (
        client.post(
            f"{ADMIN}{ours.pk}/doorzetten/", {"directorates": [d.pk for d in directorates]}
        ).status_code
        == 403
    )
    assert (
        client.post(f"{ADMIN}{ours.pk}/status/", {"state": QuestionState.IN_PROGRESS}).status_code
        == 403
    )
    assert client.post(f"{ADMIN}{ours.pk}/onderwerp/", {"topic": ours.topic_id}).status_code == 403
    # Nor through the admin's own save path.
    assert client.post(f"{ADMIN}{ours.pk}/change/", {}).status_code == 403
    ours.refresh_from_db()
    assert ours.state == QuestionState.FORWARDED
    assert ours.assignments.count() == 1
    assert not AuditLogEntry.objects.filter(
        action__in=["question.routed", "question.state_changed"]
    ).exists()


@pytest.mark.django_db
def test_directorate_contact_replies_on_behalf_of_their_directorate(
    client, contact, routed, django_capture_on_commit_callbacks
):
    ours, assignment = routed["ours"], routed["ours_assignment"]
    client.force_login(contact)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{ADMIN}{ours.pk}/bericht/",
            {
                "kind": "reply",
                "body": "U kunt terecht bij het ondernemersloket.",
                "assignment": assignment.pk,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}{ours.pk}/change/"
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.ANSWERED
    assert assignment.answered_at is not None
    message = Message.objects.get()
    assert (message.kind, message.author, message.assignment) == (
        MessageKind.PUBLIC_REPLY,
        contact,
        assignment,
    )
    reply = OutboxMessage.objects.get(kind="servicepoint/reply")
    assert reply.recipient == ours.email
    assert "ondernemersloket" in reply.body_text
    assert "Economie" in reply.body_text  # on behalf of the directorate
    assert [m.to for m in mail.outbox if m.subject == reply.subject] == [[ours.email]]


@pytest.mark.django_db
def test_directorate_contact_cannot_reply_for_another_directorate(client, contact, routed):
    both = routed["both"]
    client.force_login(contact)
    for assignment in ("", routed["both_second"].pk, routed["theirs_assignment"].pk):
        response = client.post(
            f"{ADMIN}{both.pk}/bericht/",
            {"kind": "reply", "body": "Namens een ander", "assignment": assignment},
        )
        assert response.status_code != 302, assignment
    assert not Message.objects.exists()
    assert not OutboxMessage.objects.exists()
    routed["both_second"].refresh_from_db()
    assert routed["both_second"].state == AssignmentState.OPEN


@pytest.mark.django_db
def test_directorate_contact_sees_form_errors_instead_of_403(client, contact, routed):
    ours = routed["ours"]
    client.force_login(contact)
    response = client.post(
        f"{ADMIN}{ours.pk}/bericht/",
        {"kind": "reply", "body": "", "assignment": routed["ours_assignment"].pk},
    )
    assert response.status_code == 200
    assert "body" in response.context["message_form"].errors


@pytest.mark.django_db
def test_directorate_contact_downloads_only_routed_attachments(client, contact, routed):
    ours_file = attach(routed["ours"], name="ons.pdf")
    theirs_file = attach(routed["theirs"], name="hun.pdf")
    client.force_login(contact)
    assert download(client, ours_file).status_code == 200
    assert download(client, theirs_file).status_code == 404


@pytest.mark.django_db
def test_withdrawn_assignment_hides_the_question(client, contact, account_manager, routed):
    ours = routed["ours"]
    ours_file = attach(ours)
    services.assignment_transition(
        assignment=routed["ours_assignment"], to=AssignmentState.WITHDRAWN, actor=account_manager
    )
    client.force_login(contact)
    assert set(client.get(ADMIN).context["cl"].result_list) == {routed["both"]}
    assert client.get(f"{ADMIN}{ours.pk}/change/").status_code == 404
    assert (
        client.post(f"{ADMIN}{ours.pk}/bericht/", {"kind": "note", "body": "Toch nog"}).status_code
        == 404
    )
    assert download(client, ours_file).status_code == 404
    assert not Message.objects.exists()


# Who reaches the admin at all -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ENTREPRENEUR, Role.PROCUREMENT_OFFICER])
def test_non_staff_cannot_reach_the_question_admin(client, role):
    person = UserFactory(roles=[role])
    question = QuestionFactory()
    client.force_login(person)
    for path in (ADMIN, f"{ADMIN}{question.pk}/change/", f"{ADMIN}rapportage/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/beheer/login/"), path
        assert client.get(response["Location"]).status_code == 403, path
    response = client.post(f"{ADMIN}{question.pk}/bericht/", {"kind": "note", "body": "Hoi"})
    assert response.status_code == 302
    assert response["Location"].startswith("/beheer/login/")
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_staff_without_authenticator_is_sent_to_set_one_up(client):
    manager = UserFactory(roles=[Role.ACCOUNT_MANAGER], totp=False)
    client.force_login(manager)
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_report_is_for_account_managers_only(client, contact, account_manager, routed):
    client.force_login(contact)
    assert client.get(f"{ADMIN}rapportage/").status_code == 403
    assert client.get(f"{ADMIN}rapportage/", {"export": "csv"}).status_code == 403
    client.force_login(account_manager)
    response = client.get(f"{ADMIN}rapportage/")
    assert response.status_code == 200
    assert response.context["report"]["total"] == 4  # the confirmed questions
    csv = client.get(f"{ADMIN}rapportage/", {"export": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")


# Query counts -----------------------------------------------------------------------


def _count(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


def _busy_question(author, requester, directorate, replies=2):
    """A question with replies (each with a file), a note, a file of its own and an
    assignment."""
    question = QuestionFactory(requester=requester, account_manager=author)
    attach(question, name="vraag.pdf")
    assignment = AssignmentFactory(question=question, directorate=directorate)
    for number in range(replies):
        message = services.question_reply(
            question=question, author=author, body=f"Antwoord {number}", assignment=assignment
        )
        attach(question, name=f"antwoord-{number}.pdf", message=message)
    services.question_add_note(question=question, author=author, body=NOTE)
    services.question_entrepreneur_reply(question=question, author=requester, body="Dank!")
    return question


# Measured; a change here means a page started querying per row (or got cheaper: lower it).
# Mijn vragen: session, user, count, the list with its reply count.
MY_QUESTIONS_QUERIES = 4
# Question page: session, user, the question, the detail and its prefetches (public
# messages, their files and linked articles, the question's own files, assignments).
DETAIL_QUERIES = 9
# Admin changelist for an account manager: session, user, TOTP check, permissions (2),
# roles, four filters' choices, two counts, the page, its assignments, date hierarchy (2).
CHANGELIST_QUERIES = 16
# Admin question page: the page itself, its history inline, the conversation with files,
# assignments, forms' choices (directorates, contacts, articles, canned replies, topics).
ADMIN_DETAIL_QUERIES = 22


@pytest.mark.django_db
def test_my_questions_list_has_a_constant_number_of_queries(
    client, user, account_manager, directorates, settings
):
    settings.SERVICEPOINT_MAX_ATTACHMENTS = 100  # files are added around the services
    for _ in range(2):
        _busy_question(account_manager, user, directorates[0])
    client.force_login(user)
    client.get("/servicepunt/mijn-vragen/")  # warm caches that are not per request
    few = _count(client, "/servicepunt/mijn-vragen/")
    for _ in range(14):
        _busy_question(account_manager, user, directorates[1])
    many = _count(client, "/servicepunt/mijn-vragen/")
    assert len(client.get("/servicepunt/mijn-vragen/").context["page"].object_list) == 16
    assert few == many, f"{few} queries with 2 questions, {many} with 16"
    assert many == MY_QUESTIONS_QUERIES


@pytest.mark.django_db
def test_question_page_has_a_constant_number_of_queries(
    client, user, account_manager, directorates, settings
):
    settings.SERVICEPOINT_MAX_ATTACHMENTS = 100  # files are added around the services
    question = _busy_question(account_manager, user, directorates[0], replies=2)
    path = question.get_absolute_url()
    client.force_login(user)
    client.get(path)
    few = _count(client, path)
    assignment = question.assignments.get()
    for number in range(10):
        message = services.question_reply(
            question=question,
            author=account_manager,
            body=f"Nog een antwoord {number}",
            assignment=assignment,
        )
        attach(question, name=f"extra-{number}.pdf", message=message)
        services.question_add_note(question=question, author=account_manager, body="notitie")
    AssignmentFactory(question=question, directorate=directorates[1])
    many = _count(client, path)
    replies = client.get(path).context["question"].public_messages
    assert len([m for m in replies if m.kind == MessageKind.PUBLIC_REPLY]) == 12
    assert few == many, f"{few} queries with 2 replies, {many} with 12"
    assert many == DETAIL_QUERIES


@pytest.mark.django_db
def test_admin_changelist_has_a_constant_number_of_queries(
    client, user, account_manager, directorates, settings
):
    settings.SERVICEPOINT_MAX_ATTACHMENTS = 100  # files are added around the services
    for _ in range(2):
        _busy_question(account_manager, user, directorates[0])
    client.force_login(account_manager)
    client.get(ADMIN)
    few = _count(client, ADMIN)
    for number in range(14):
        requester = UserFactory(roles=[Role.ENTREPRENEUR])
        question = _busy_question(account_manager, requester, directorates[number % 2])
        AssignmentFactory(question=question, directorate=directorates[(number + 1) % 2])
    many = _count(client, ADMIN)
    assert client.get(ADMIN).context["cl"].result_count == 16
    assert few == many, f"{few} queries with 2 questions, {many} with 16"
    assert many == CHANGELIST_QUERIES


@pytest.mark.django_db
def test_admin_question_page_has_a_constant_number_of_queries(
    client, user, account_manager, directorates, settings
):
    settings.SERVICEPOINT_MAX_ATTACHMENTS = 100  # files are added around the services
    question = _busy_question(account_manager, user, directorates[0], replies=2)
    path = f"{ADMIN}{question.pk}/change/"
    client.force_login(account_manager)
    client.get(path)
    few = _count(client, path)
    assignment = question.assignments.get()
    for number in range(10):
        message = services.question_reply(
            question=question, author=account_manager, body=f"Meer {number}", assignment=None
        )
        attach(question, name=f"meer-{number}.pdf", message=message)
        services.question_add_note(question=question, author=account_manager, body="notitie")
    AssignmentFactory(question=question, directorate=directorates[1])
    services.assignment_transition(assignment=assignment, to="in_progress", actor=None)
    many = _count(client, path)
    assert few == many, f"{few} queries with 2 replies, {many} with 12"
    assert many == ADMIN_DETAIL_QUERIES


# The account managers' desk ---------------------------------------------------------


@pytest.mark.django_db
def test_account_manager_routes_to_two_directorates(
    client, account_manager, directorates, django_capture_on_commit_callbacks
):
    question = QuestionFactory()
    client.force_login(account_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{ADMIN}{question.pk}/doorzetten/", {"directorates": [d.pk for d in directorates]}
        )
    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}{question.pk}/change/"
    question.refresh_from_db()
    assert question.state == QuestionState.FORWARDED
    assignments = question.assignments.order_by("directorate__name")
    assert [(a.directorate, a.state) for a in assignments] == [
        (directorates[0], AssignmentState.OPEN),
        (directorates[1], AssignmentState.OPEN),
    ]
    routed = AuditLogEntry.objects.filter(action="question.routed")
    assert sorted(e.data["directorate"] for e in routed) == ["Economie", "Sociaal Domein"]
    assert all(e.actor == account_manager for e in routed)
    assert AuditLogEntry.objects.get(action="question.state_changed").changes == {
        "state": ["new", "forwarded"]
    }
    # No contact persons yet: each directorate's shared mailbox is told.
    told = set(
        OutboxMessage.objects.filter(kind="servicepoint/assignment").values_list(
            "recipient", flat=True
        )
    )
    assert told == {d.email for d in directorates}

    # Routing to the same directorates again creates nothing new.
    client.post(f"{ADMIN}{question.pk}/doorzetten/", {"directorates": [directorates[0].pk]})
    assert question.assignments.count() == 2
    # An empty choice is a form error.
    response = client.post(
        f"{ADMIN}{question.pk}/doorzetten/", {"directorates": [], "assignee": ""}
    )
    assert response.status_code == 200
    assert "directorates" in response.context["route_form"].errors


@pytest.mark.django_db
def test_account_manager_note_sends_nothing_to_the_entrepreneur(
    client, account_manager, django_capture_on_commit_callbacks
):
    question = QuestionFactory()
    client.force_login(account_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{ADMIN}{question.pk}/bericht/", {"kind": "note", "body": NOTE})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.kind, message.body, message.author) == (
        MessageKind.INTERNAL_NOTE,
        NOTE,
        account_manager,
    )
    assert not OutboxMessage.objects.filter(recipient=question.email).exists()
    assert not [m for m in mail.outbox if question.email in m.to]
    assert AuditLogEntry.objects.filter(action="question.note_added").count() == 1


@pytest.mark.django_db
def test_account_manager_note_keeps_its_attachment(client, account_manager):
    question = QuestionFactory()
    client.force_login(account_manager)
    response = client.post(
        f"{ADMIN}{question.pk}/bericht/",
        {
            "kind": "note",
            "body": NOTE,
            "files": [SimpleUploadedFile("intern.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    assert Attachment.objects.filter(message__kind=MessageKind.INTERNAL_NOTE).count() == 1


@pytest.mark.django_db
def test_account_manager_empty_reply_is_a_form_error(
    client, account_manager, django_capture_on_commit_callbacks
):
    question = QuestionFactory()
    client.force_login(account_manager)
    for body in ("", "   \n "):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"{ADMIN}{question.pk}/bericht/", {"kind": "reply", "body": body}
            )
        assert response.status_code == 200
        assert "body" in response.context["message_form"].errors
    assert not Message.objects.exists()
    assert not OutboxMessage.objects.exists()
    question.refresh_from_db()
    assert question.first_response_at is None


@pytest.mark.django_db
def test_account_manager_reply_is_sent(client, account_manager, django_capture_on_commit_callbacks):
    question = QuestionFactory()
    client.force_login(account_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{ADMIN}{question.pk}/bericht/", {"kind": "reply", "body": "Dit is ons antwoord."}
        )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.first_response_at is not None
    assert OutboxMessage.objects.get(kind="servicepoint/reply").recipient == question.email


@pytest.mark.django_db
def test_account_manager_illegal_state_change_is_refused(client, account_manager):
    question = QuestionFactory(state=QuestionState.CLOSED)
    client.force_login(account_manager)
    response = client.post(f"{ADMIN}{question.pk}/status/", {"state": QuestionState.ANSWERED})
    assert response.status_code == 200
    assert "state" in response.context["state_form"].errors
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    question.refresh_from_db()
    assert question.state == QuestionState.CLOSED
    assert not AuditLogEntry.objects.filter(action="question.state_changed").exists()
    assert not OutboxMessage.objects.exists()

    # The allowed move does go through.
    response = client.post(f"{ADMIN}{question.pk}/status/", {"state": QuestionState.REOPENED})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.state == QuestionState.REOPENED


@pytest.mark.django_db
def test_account_manager_cannot_move_an_unconfirmed_guest_question(client, account_manager):
    question = QuestionFactory(guest=True)
    client.force_login(account_manager)
    # Unconfirmed questions are not in the desk at all.
    assert client.get(f"{ADMIN}{question.pk}/change/").status_code == 404
    response = client.post(f"{ADMIN}{question.pk}/status/", {"state": QuestionState.CLOSED})
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.state == QuestionState.NEW


@pytest.mark.django_db
def test_bulk_assign_to_me(client, account_manager):
    colleague = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])
    chosen = [QuestionFactory(), QuestionFactory(account_manager=colleague)]
    untouched = QuestionFactory()
    client.force_login(account_manager)
    response = client.post(
        ADMIN, {"action": "assign_to_me", "_selected_action": [q.pk for q in chosen]}
    )
    assert response.status_code == 302
    for question in chosen:
        question.refresh_from_db()
        assert question.account_manager == account_manager
    untouched.refresh_from_db()
    assert untouched.account_manager is None
    entries = AuditLogEntry.objects.filter(action="question.assigned")
    assert entries.count() == 2
    # The colleague whose question was taken over is not e-mailed; only an assignee
    # other than the actor is.
    assert not OutboxMessage.objects.filter(kind="servicepoint/assigned").exists()


@pytest.mark.django_db
def test_malformed_admin_question_url_is_404_not_500(client):
    from tests.factories import UserFactory as Users

    client.force_login(Users(staff=True, roles=[Role.ACCOUNT_MANAGER], totp=True))
    assert client.get("/beheer/servicepoint/question/abc/change/").status_code == 404
    assert (
        client.get("/beheer/servicepoint/question/1/change/widgets.css/change/").status_code == 404
    )


@pytest.mark.django_db
def test_admin_filters_by_assigned_person(client):
    from tests.factories import AssignmentFactory as Assignments
    from tests.factories import QuestionFactory as Questions
    from tests.factories import UserFactory as Users

    person = Users(staff=True, roles=[Role.DIRECTORATE_CONTACT])
    mine = Questions(subject="Voor Jeroen")
    Assignments(question=mine, assignee=person)
    Assignments(question=Questions(subject="Voor een ander"))
    client.force_login(Users(staff=True, roles=[Role.ACCOUNT_MANAGER], totp=True))
    response = client.get("/beheer/servicepoint/question/", {"persoon": person.pk})
    assert [q.subject for q in response.context["cl"].result_list] == ["Voor Jeroen"]


@pytest.mark.django_db
def test_canned_reply_is_used_when_the_message_is_empty(client):
    from impactportal.outbox.models import OutboxMessage
    from servicepoint.models import CannedReply
    from tests.factories import QuestionFactory as Questions
    from tests.factories import UserFactory as Users

    question = Questions()
    canned = CannedReply.objects.create(
        topic=question.topic, title="Ontvangen", body="Wij zoeken het voor u uit."
    )
    CannedReply.objects.create(topic=None, title="Algemeen", body="Algemeen antwoord")
    client.force_login(Users(staff=True, roles=[Role.ACCOUNT_MANAGER], totp=True))
    url = f"/beheer/servicepoint/question/{question.pk}/bericht/"
    empty = client.post(url, {"kind": "reply", "body": ""})
    assert "body" in empty.context["message_form"].errors
    assert not question.messages.exists()
    client.post(url, {"kind": "reply", "body": "", "canned": canned.pk})
    assert question.messages.get().body == "Wij zoeken het voor u uit."
    assert OutboxMessage.objects.filter(kind="servicepoint/reply").exists()
