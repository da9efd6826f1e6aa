import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from impactportal.workflow import TransitionNotAllowed
from servicepoint import services
from servicepoint.constants import AssignmentState, QuestionState
from tests.factories import (
    DirectorateFactory,
    QuestionFactory,
    RoutingRuleFactory,
    TopicFactory,
    UserFactory,
)


def submit(user, topic, subject="Vraag", text="Tekst"):
    return services.question_submit(
        topic=topic,
        subject=subject,
        text=text,
        name=user.name,
        email=user.email,
        requester=user,
        preferred_contact="email",
    ).question


@pytest.fixture
def entrepreneur(db):
    return UserFactory(roles=[Role.ENTREPRENEUR])


@pytest.fixture
def account_managers(db):
    return [UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER]) for _ in range(2)]


@pytest.mark.django_db
def test_rule_routes_to_directorate_and_person(entrepreneur, account_managers):
    topic = TopicFactory()
    directorate = DirectorateFactory(slug="inkomen")
    person = UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=directorate)
    RoutingRuleFactory(topic=topic, directorate=directorate, assignee=person)
    question = submit(entrepreneur, topic)
    question.refresh_from_db()
    assert question.state == QuestionState.FORWARDED
    assignment = question.assignments.get()
    assert (assignment.directorate, assignment.assignee) == (directorate, person)
    assert assignment.rule is not None
    assert (
        OutboxMessage.objects.filter(kind="servicepoint/assignment", recipient=person.email).count()
        == 1
    )
    # Routed questions do not also land in the account managers' queue mail.
    assert not OutboxMessage.objects.filter(kind="servicepoint/new_question").exists()


@pytest.mark.django_db
def test_rule_without_person_tells_every_contact_of_the_directorate(entrepreneur):
    topic = TopicFactory()
    directorate = DirectorateFactory()
    contacts = [
        UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=directorate)
        for _ in range(2)
    ]
    UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=DirectorateFactory())
    RoutingRuleFactory(topic=topic, directorate=directorate)
    submit(entrepreneur, topic)
    recipients = set(
        OutboxMessage.objects.filter(kind="servicepoint/assignment").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {contact.email for contact in contacts}


@pytest.mark.django_db
def test_directorate_without_contacts_gets_mail_in_its_shared_mailbox(entrepreneur):
    topic = TopicFactory()
    directorate = DirectorateFactory(email="vergunningen@groningen.example")
    RoutingRuleFactory(topic=topic, directorate=directorate)
    submit(entrepreneur, topic)
    assert OutboxMessage.objects.filter(
        kind="servicepoint/assignment", recipient="vergunningen@groningen.example"
    ).exists()


@pytest.mark.django_db
def test_keywords_and_order_decide_which_rule_applies(entrepreneur):
    topic = TopicFactory()
    inkoop = DirectorateFactory(slug="ssc-inkoop")
    wmp = DirectorateFactory(slug="wmp")
    RoutingRuleFactory(topic=topic, directorate=inkoop, keywords="aanbesteding, inkoop", position=1)
    RoutingRuleFactory(topic=topic, directorate=wmp, position=2)
    RoutingRuleFactory(topic=topic, directorate=DirectorateFactory(), position=3)
    matched = submit(entrepreneur, topic, text="Mag ik meedoen aan de AANBESTEDING?")
    fallback = submit(entrepreneur, topic, text="Ik zoek personeel")
    assert matched.assignments.get().directorate == inkoop
    assert fallback.assignments.get().directorate == wmp


@pytest.mark.django_db
def test_inactive_rules_and_other_topics_do_not_match(entrepreneur, account_managers):
    topic = TopicFactory()
    RoutingRuleFactory(topic=topic, is_active=False)
    RoutingRuleFactory(topic=TopicFactory(slug="inkoop", name="Inkoop"))
    question = submit(entrepreneur, topic)
    question.refresh_from_db()
    assert question.state == QuestionState.NEW
    assert not question.assignments.exists()
    assert set(
        OutboxMessage.objects.filter(kind="servicepoint/new_question").values_list(
            "recipient", flat=True
        )
    ) == {am.email for am in account_managers}


@pytest.mark.django_db
def test_account_manager_routes_to_several_directorates_each_with_own_deadline():
    manager = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])
    question = QuestionFactory(state=QuestionState.IN_PROGRESS)
    first, second = DirectorateFactory(), DirectorateFactory()
    created = services.question_route(
        question=question, directorates=[first, second], actor=manager
    )
    assert {a.directorate for a in created} == {first, second}
    assert all(a.state == AssignmentState.OPEN and a.due for a in created)
    question.refresh_from_db()
    assert question.state == QuestionState.FORWARDED
    assert AuditLogEntry.objects.filter(action="question.routed").count() == 2
    # Routing to a directorate that already has it adds nothing.
    assert services.question_route(question=question, directorates=[first], actor=manager) == []
    # Each assignment moves on its own.
    services.assignment_transition(
        assignment=created[0], to=AssignmentState.ANSWERED, actor=manager
    )
    created[1].refresh_from_db()
    assert created[1].state == AssignmentState.OPEN


@pytest.mark.django_db
def test_route_needs_a_directorate_and_an_open_question():
    question = QuestionFactory(state=QuestionState.IN_PROGRESS)
    with pytest.raises(ValidationError):
        services.question_route(question=question, directorates=[], actor=None)
    closed = QuestionFactory(state=QuestionState.CLOSED)
    with pytest.raises(TransitionNotAllowed):
        services.question_route(question=closed, directorates=[DirectorateFactory()], actor=None)


@pytest.mark.django_db
def test_withdrawn_assignment_is_reopened_when_routed_again():
    question = QuestionFactory(state=QuestionState.IN_PROGRESS)
    directorate = DirectorateFactory()
    (assignment,) = services.question_route(
        question=question, directorates=[directorate], actor=None
    )
    services.assignment_transition(assignment=assignment, to=AssignmentState.WITHDRAWN, actor=None)
    (again,) = services.question_route(question=question, directorates=[directorate], actor=None)
    assert again.pk == assignment.pk
    assert again.state == AssignmentState.OPEN


@pytest.mark.django_db
def test_topic_change_reapplies_rules_and_keeps_manual_routing(entrepreneur):
    finance, permits = (
        TopicFactory(),
        TopicFactory(slug="vergunningen", name="Vergunningen", resolution_days=15),
    )
    by_rule = DirectorateFactory(slug="inkomen")
    by_hand = DirectorateFactory(slug="dmo")
    new_target = DirectorateFactory(slug="vergunningen")
    RoutingRuleFactory(topic=finance, directorate=by_rule)
    RoutingRuleFactory(topic=permits, directorate=new_target)
    question = submit(entrepreneur, finance)
    services.question_route(question=question, directorates=[by_hand], actor=None)
    old_due = question.resolution_due

    services.question_change_topic(question=question, topic=permits, actor=None)
    question.refresh_from_db()
    states = dict(question.assignments.values_list("directorate__slug", "state"))
    assert states == {
        "inkomen": AssignmentState.WITHDRAWN,
        "dmo": AssignmentState.OPEN,
        "vergunningen": AssignmentState.OPEN,
    }
    assert question.topic == permits
    assert question.resolution_due > old_due  # 15 instead of 10 working days
    assert AuditLogEntry.objects.get(action="question.topic_changed").changes == {
        "topic": ["financiering", "vergunningen"]
    }


@pytest.mark.django_db
def test_topic_change_without_a_rule_sends_it_back_to_the_account_managers(
    entrepreneur, account_managers
):
    finance = TopicFactory()
    RoutingRuleFactory(topic=finance)
    question = submit(entrepreneur, finance)
    services.question_change_topic(
        question=question, topic=TopicFactory(slug="overig", name="Overig"), actor=None
    )
    question.refresh_from_db()
    assert question.state == QuestionState.IN_PROGRESS
    assert OutboxMessage.objects.filter(kind="servicepoint/new_question").count() == 2


@pytest.mark.django_db
def test_only_account_managers_can_be_assigned():
    question = QuestionFactory()
    manager = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])
    services.question_assign(question=question, account_manager=manager, actor=None)
    question.refresh_from_db()
    assert question.account_manager == manager
    assert OutboxMessage.objects.filter(
        kind="servicepoint/assigned", recipient=manager.email
    ).exists()
    with pytest.raises(ValidationError):
        services.question_assign(question=question, account_manager=UserFactory(), actor=None)
