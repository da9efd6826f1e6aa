"""The service point's demo data: every state of the workflow, and idempotent."""

import pytest

from accounts.demo import load_demo_accounts
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from servicepoint import selectors
from servicepoint.constants import AssignmentState, MessageKind, QuestionState
from servicepoint.demo import load_demo_questions
from servicepoint.models import (
    Assignment,
    Attachment,
    CannedReply,
    FollowUp,
    KnowledgeArticle,
    Message,
    Question,
    RoutingRule,
)

MODELS = [
    Question,
    Assignment,
    Message,
    Attachment,
    FollowUp,
    KnowledgeArticle,
    RoutingRule,
    CannedReply,
    OutboxMessage,
    AuditLogEntry,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo(db):
    load_demo_accounts()
    assert load_demo_questions() >= 7


def test_running_the_loader_twice_creates_nothing_new(demo):
    before = counts()
    assert load_demo_questions() == 0
    load_demo_accounts()
    assert counts() == before


def test_every_state_occurs(demo):
    states = set(Question.objects.values_list("state", flat=True))
    assert states == set(QuestionState.values)
    # Everything the desk sees is confirmed and has its deadlines.
    assert not Question.objects.filter(submitted_at__isnull=True).exists()
    assert not Question.objects.filter(resolution_due__isnull=True).exists()


def test_the_demo_tells_the_whole_story(demo):
    entrepreneur = Question.objects.filter(requester__email="ondernemer@demo.impactportaal.nl")
    guests = Question.objects.filter(requester__isnull=True)
    assert entrepreneur.exists() and guests.exists()
    assert entrepreneur.first().company_name == "Fietsenwerkplaats Oosterpoort"

    two = [
        q
        for q in Question.objects.all()
        if q.assignments.exclude(state=AssignmentState.WITHDRAWN).count() == 2
    ]
    assert len(two) == 1
    assert two[0].state == QuestionState.FORWARDED
    assert {a.directorate.slug for a in two[0].assignments.all()} == {"wmp", "inkomen"}

    follow_up = FollowUp.objects.get(answered_at__isnull=False)
    assert follow_up.helped is True
    assert follow_up.question.state == QuestionState.CLOSED

    assert Message.objects.filter(kind=MessageKind.PUBLIC_REPLY).count() >= 4
    assert Message.objects.filter(kind=MessageKind.INTERNAL_NOTE).exists()
    assert Message.objects.filter(kind=MessageKind.ENTREPRENEUR).exists()
    assert Question.objects.filter(first_response_at__isnull=False).exists()

    # Routing rules did the routing: the social-return question went to SSC-Inkoop.
    social_return = Question.objects.get(topic__slug="social-return")
    assert social_return.state == QuestionState.WAITING
    assert [a.directorate.slug for a in social_return.assignments.all()] == ["ssc-inkoop"]
    assert RoutingRule.objects.filter(
        topic__slug="duurzaamheid", directorate__slug="stadsontwikkeling"
    ).exists()
    assert RoutingRule.objects.filter(
        topic__slug="personeel-jobcoach", directorate__slug="wmp"
    ).exists()
    assert CannedReply.objects.count() == 2


def test_demo_articles_are_searchable(demo):
    assert 5 <= KnowledgeArticle.objects.count() <= 8
    assert not KnowledgeArticle.objects.filter(search_vector__isnull=True).exists()
    titles = [a.title for a in selectors.search_articles("ondernemer subsidie")]
    assert "Subsidie voor sociale ondernemers" in titles
    assert [a.title for a in selectors.search_articles("jobcoach")] == ["Een jobcoach aanvragen"]


def test_demo_staff_see_their_questions(demo):
    from accounts.models import User

    manager = User.objects.get(email="accountmanager@demo.impactportaal.nl")
    contact = User.objects.get(email="directie@demo.impactportaal.nl")
    assert selectors.questions_for_staff(manager).count() == Question.objects.count()
    # The WMP contact sees only what was routed to WMP.
    assert [q.subject for q in selectors.questions_for_staff(contact)] == [
        "Jobcoach en uitkering voor een nieuwe medewerker"
    ]
