"""Assigning a question and changing its topic, as the desk sees it afterwards: the new
deadlines, which directorates still hold the question, the refusal when the chosen
person is no account manager, and a history that names who did each step."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.workdays import add_working_days
from servicepoint import services
from servicepoint.constants import AssignmentState, QuestionState
from servicepoint.models import Assignment
from tests.factories import (
    AssignmentFactory,
    QuestionFactory,
    RoutingRuleFactory,
    TopicFactory,
    UserFactory,
)

SUBMITTED = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a Monday


@pytest.fixture
def manager(db):
    return UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER], name="Fenna Bakker")


@pytest.mark.django_db
def test_reassigning_records_who_moved_it_from_whom_to_whom(manager):
    coordinator = UserFactory(staff=True, roles=[Role.COORDINATOR])
    previous = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])
    question = QuestionFactory(account_manager=previous)
    services.question_assign(question=question, account_manager=manager, actor=coordinator)
    question.refresh_from_db()
    assert question.account_manager == manager
    entry = AuditLogEntry.objects.get(action="question.assigned")
    assert entry.actor == coordinator
    assert entry.target == question
    assert entry.changes == {"account_manager": [previous.email, manager.email]}


@pytest.mark.django_db
def test_assigning_someone_who_is_no_account_manager_is_refused_by_name(manager):
    contact = UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], name="Joris Mulder")
    question = QuestionFactory(account_manager=manager)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.question_assign(question=question, account_manager=contact, actor=manager)
    assert refused.value.messages == ["Joris Mulder is not an account manager."]
    question.refresh_from_db()
    assert question.account_manager == manager


@pytest.mark.django_db
def test_a_new_topic_brings_its_deadlines_and_withdraws_only_unanswered_rule_work(manager):
    quick = TopicFactory(slug="snelle-route", first_response_days=1, resolution_days=3)
    question = QuestionFactory(
        state=QuestionState.FORWARDED, account_manager=manager, submitted_at=SUBMITTED
    )
    open_rule = AssignmentFactory(question=question, rule=RoutingRuleFactory())
    answered_rule = AssignmentFactory(
        question=question, rule=RoutingRuleFactory(), state=AssignmentState.ANSWERED
    )
    by_hand = AssignmentFactory(question=question)

    services.question_change_topic(question=question, topic=quick, actor=manager)

    question.refresh_from_db()
    # The directorate it was routed to by hand still holds it.
    assert question.state == QuestionState.FORWARDED
    assert question.first_response_due == add_working_days(SUBMITTED, 1)
    assert question.resolution_due == add_working_days(SUBMITTED, 3)
    states = {a.pk: a.state for a in Assignment.objects.filter(question=question)}
    assert states == {
        open_rule.pk: AssignmentState.WITHDRAWN,
        answered_rule.pk: AssignmentState.ANSWERED,
        by_hand.pk: AssignmentState.OPEN,
    }
    entry = AuditLogEntry.objects.get(action="question.topic_changed")
    assert (entry.actor, entry.target) == (manager, question)
    assert entry.changes == {"topic": ["financiering", "snelle-route"]}
    withdrawn = AuditLogEntry.objects.get(action="assignment.state_changed")
    assert withdrawn.actor == manager


@pytest.mark.django_db
def test_when_no_directorate_holds_it_any_more_it_is_back_with_the_desk(manager):
    question = QuestionFactory(state=QuestionState.FORWARDED, account_manager=manager)
    AssignmentFactory(question=question, rule=RoutingRuleFactory())
    services.question_change_topic(
        question=question, topic=TopicFactory(slug="werk"), actor=manager
    )
    question.refresh_from_db()
    assert question.state == QuestionState.IN_PROGRESS
    back = AuditLogEntry.objects.get(action="question.state_changed")
    assert back.actor == manager


@pytest.mark.django_db
def test_the_new_topics_rule_routes_the_question_in_the_name_of_who_changed_it(manager):
    rule = RoutingRuleFactory(topic=TopicFactory(slug="werk"))
    question = QuestionFactory(state=QuestionState.IN_PROGRESS, account_manager=manager)
    services.question_change_topic(question=question, topic=rule.topic, actor=manager)
    assert Assignment.objects.get(question=question).directorate == rule.directorate
    routed = AuditLogEntry.objects.get(action="question.routed")
    assert routed.actor == manager


@pytest.mark.django_db
def test_a_closed_question_is_not_routed_again_when_its_topic_changes(manager):
    rule = RoutingRuleFactory(topic=TopicFactory(slug="werk"))
    question = QuestionFactory(state=QuestionState.CLOSED, account_manager=manager)
    services.question_change_topic(question=question, topic=rule.topic, actor=manager)
    question.refresh_from_db()
    assert question.state == QuestionState.CLOSED
    assert not Assignment.objects.filter(question=question).exists()


@pytest.mark.django_db
def test_routing_without_a_directorate_or_a_closed_question_is_refused_with_a_reason(manager):
    question = QuestionFactory(state=QuestionState.IN_PROGRESS, account_manager=manager)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.question_route(question=question, directorates=[], actor=manager)
    assert refused.value.code == "no_directorate"
    assert refused.value.messages == ["Choose at least one directorate."]
    closed = QuestionFactory(state=QuestionState.CLOSED, account_manager=manager)
    rule = RoutingRuleFactory()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.question_route(question=closed, directorates=[rule.directorate], actor=manager)
    assert refused.value.messages == ["A closed question cannot be routed; reopen it first."]
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_routing_to_a_chosen_person_gives_them_the_assignment(manager):
    rule = RoutingRuleFactory()
    person = UserFactory(staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=rule.directorate)
    question = QuestionFactory(state=QuestionState.IN_PROGRESS, account_manager=manager)
    services.question_route(
        question=question, directorates=[rule.directorate], actor=manager, assignee=person
    )
    assert Assignment.objects.get(question=question).assignee == person
