import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from impactportal.outbox.models import OutboxMessage
from impactportal.workflow import TransitionNotAllowed
from servicepoint import services
from servicepoint.constants import AssignmentState, MessageKind, QuestionState
from tests.factories import AssignmentFactory, QuestionFactory, UserFactory


@pytest.fixture
def manager(db):
    return UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])


@pytest.mark.django_db
def test_public_reply_is_mailed_and_counts_as_first_response(manager):
    question = QuestionFactory(state=QuestionState.IN_PROGRESS)
    message = services.question_reply(
        question=question,
        author=manager,
        body="U kunt subsidie aanvragen bij het Ondernemersfonds.",
    )
    question.refresh_from_db()
    assert question.first_response_at == message.created_at
    mail = OutboxMessage.objects.get(kind="servicepoint/reply")
    assert mail.recipient == question.email
    assert "Ondernemersfonds" in mail.body_text
    # A second reply does not move the first-response time.
    services.question_reply(question=question, author=manager, body="Aanvulling")
    question.refresh_from_db()
    assert question.first_response_at == message.created_at


@pytest.mark.django_db
def test_reply_on_behalf_of_a_directorate_answers_its_assignment(manager):
    question = QuestionFactory(state=QuestionState.FORWARDED)
    assignment = AssignmentFactory(question=question)
    other = AssignmentFactory(question=question)
    services.question_reply(
        question=question, author=manager, body="Antwoord", assignment=assignment
    )
    assignment.refresh_from_db()
    other.refresh_from_db()
    assert assignment.state == AssignmentState.ANSWERED
    assert other.state == AssignmentState.OPEN
    question.refresh_from_db()
    # The question itself is answered only when the account manager says so.
    assert question.state == QuestionState.FORWARDED


@pytest.mark.django_db
def test_empty_reply_and_unconfirmed_question_are_refused(manager):
    question = QuestionFactory()
    with pytest.raises(ValidationError):
        services.question_reply(question=question, author=manager, body="   ")
    with pytest.raises(TransitionNotAllowed):
        services.question_reply(question=QuestionFactory(guest=True), author=manager, body="Hoi")
    assert not question.messages.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_internal_note_sends_nothing(manager):
    question = QuestionFactory()
    note = services.question_add_note(
        question=question, author=manager, body="Bellen met DMO over deze ondernemer"
    )
    assert note.kind == MessageKind.INTERNAL_NOTE and not note.is_public
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "after"),
    [
        (QuestionState.WAITING, QuestionState.IN_PROGRESS),
        (QuestionState.ANSWERED, QuestionState.IN_PROGRESS),
        (QuestionState.CLOSED, QuestionState.REOPENED),
        (QuestionState.IN_PROGRESS, QuestionState.IN_PROGRESS),
        (QuestionState.FORWARDED, QuestionState.FORWARDED),
    ],
)
def test_entrepreneur_reply_moves_the_question_back_to_the_municipality(state, after, manager):
    question = QuestionFactory(state=state, account_manager=manager)
    services.question_entrepreneur_reply(
        question=question, author=question.requester, body="Hier is de gevraagde offerte."
    )
    question.refresh_from_db()
    assert question.state == after
    assert (
        OutboxMessage.objects.filter(
            kind="servicepoint/entrepreneur_replied", recipient=manager.email
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_entrepreneur_reply_reaches_the_directorates_still_working_on_it(manager):
    question = QuestionFactory(state=QuestionState.FORWARDED, account_manager=manager)
    contact = UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT])
    AssignmentFactory(question=question, assignee=contact)
    AssignmentFactory(question=question, assignee=UserFactory(), state=AssignmentState.ANSWERED)
    services.question_entrepreneur_reply(question=question, author=question.requester, body="Ok")
    recipients = set(
        OutboxMessage.objects.filter(kind="servicepoint/entrepreneur_replied").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {manager.email, contact.email}


@pytest.mark.django_db
def test_reply_links_published_articles_in_mail_and_page(manager, client):
    from tests.factories import KnowledgeArticleFactory

    question = QuestionFactory(state=QuestionState.IN_PROGRESS)
    published = KnowledgeArticleFactory(title="Een jobcoach aanvragen", slug="jobcoach")
    hidden = KnowledgeArticleFactory(title="Concept", slug="concept", is_published=False)
    services.question_reply(
        question=question, author=manager, body="Zie het artikel.", articles=[published, hidden]
    )
    mail = OutboxMessage.objects.get(kind="servicepoint/reply")
    assert "/servicepunt/kennisbank/jobcoach/" in mail.body_text
    assert "/servicepunt/kennisbank/jobcoach/" in mail.body_html
    assert "Concept" not in mail.body_text
    client.force_login(question.requester)
    page = client.get(f"/servicepunt/mijn-vragen/{question.uuid}/").content.decode()
    assert 'href="/servicepunt/kennisbank/jobcoach/"' in page
