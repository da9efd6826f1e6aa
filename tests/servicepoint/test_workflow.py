"""Every allowed and every forbidden move of questions and assignments."""

import itertools

import pytest

from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from impactportal.workflow import TransitionNotAllowed
from servicepoint import services
from servicepoint.constants import (
    ANNOUNCED_STATES,
    ASSIGNMENT_TRANSITIONS,
    TRANSITIONS,
    AssignmentState,
    QuestionState,
)
from tests.factories import AssignmentFactory, QuestionFactory, UserFactory

# The rules, written out: a move added to or dropped from servicepoint/constants.py must
# be made here too, on purpose.
ALLOWED = {
    "new": {"in_progress", "forwarded", "waiting", "answered", "closed"},
    "in_progress": {"forwarded", "waiting", "answered", "closed"},
    "forwarded": {"in_progress", "waiting", "answered"},
    "waiting": {"in_progress", "forwarded", "answered", "closed"},
    "answered": {"in_progress", "waiting", "closed"},
    "closed": {"reopened"},
    "reopened": {"in_progress", "forwarded", "waiting", "answered", "closed"},
}
ASSIGNMENT_ALLOWED = {
    "open": {"in_progress", "answered", "withdrawn"},
    "in_progress": {"answered", "withdrawn"},
    "answered": {"in_progress"},
    "withdrawn": {"open"},
}
QUESTION_MOVES = list(itertools.product(QuestionState, QuestionState))
ASSIGNMENT_MOVES = list(itertools.product(AssignmentState, AssignmentState))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "target"), QUESTION_MOVES, ids=[f"{a.value}->{b.value}" for a, b in QUESTION_MOVES]
)
def test_question_transition(current, target):
    actor = UserFactory()
    question = QuestionFactory(state=current)
    if target.value in ALLOWED[current.value]:
        services.question_transition(question=question, to=target, actor=actor)
        question.refresh_from_db()
        assert question.state == target
        entry = AuditLogEntry.objects.get(action="question.state_changed")
        assert entry.changes == {"state": [current.value, target.value]}
        assert entry.actor == actor
        if target == QuestionState.CLOSED:
            assert question.closed_at is not None
        if target == QuestionState.ANSWERED:
            assert question.answered_at is not None
        if target == QuestionState.REOPENED:
            assert question.closed_at is None
        announced = OutboxMessage.objects.filter(kind="servicepoint/state_changed").count()
        assert announced == (1 if target in ANNOUNCED_STATES else 0)
    else:
        with pytest.raises(TransitionNotAllowed):
            services.question_transition(question=question, to=target, actor=actor)
        question.refresh_from_db()
        assert question.state == current
        assert not AuditLogEntry.objects.exists()
        assert not OutboxMessage.objects.exists()


def test_the_tables_are_the_rules_written_here():
    assert {k.value: {v.value for v in vs} for k, vs in TRANSITIONS.items()} == ALLOWED
    assert {
        k.value: {v.value for v in vs} for k, vs in ASSIGNMENT_TRANSITIONS.items()
    } == ASSIGNMENT_ALLOWED


def test_every_state_can_be_left_and_closed_questions_only_reopen():
    for state, targets in TRANSITIONS.items():
        assert targets, state
        assert state not in targets
    assert TRANSITIONS[QuestionState.CLOSED] == {QuestionState.REOPENED}
    assert QuestionState.NEW not in set().union(*TRANSITIONS.values())


@pytest.mark.django_db
def test_unconfirmed_guest_question_cannot_move():
    question = QuestionFactory(guest=True)
    with pytest.raises(TransitionNotAllowed):
        services.question_transition(question=question, to=QuestionState.IN_PROGRESS, actor=None)
    question.refresh_from_db()
    assert question.state == QuestionState.NEW


@pytest.mark.django_db
def test_closing_withdraws_open_assignments_but_keeps_answered_ones():
    question = QuestionFactory(state=QuestionState.FORWARDED)
    open_one = AssignmentFactory(question=question)
    answered = AssignmentFactory(question=question, state=AssignmentState.ANSWERED)
    services.question_transition(question=question, to=QuestionState.ANSWERED, actor=None)
    services.question_close(question=question, actor=None)
    open_one.refresh_from_db()
    answered.refresh_from_db()
    assert open_one.state == AssignmentState.WITHDRAWN
    assert answered.state == AssignmentState.ANSWERED
    # Each withdrawal is in the question's history, not a silent bulk update.
    withdrawn = AuditLogEntry.objects.filter(
        action="assignment.state_changed", object_id=str(question.pk)
    )
    assert [entry.changes for entry in withdrawn] == [
        {f"assignment {open_one.directorate}": ["open", "withdrawn"]}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "target"),
    ASSIGNMENT_MOVES,
    ids=[f"{a.value}->{b.value}" for a, b in ASSIGNMENT_MOVES],
)
def test_assignment_transition(current, target):
    assignment = AssignmentFactory(state=current)
    if target.value in ASSIGNMENT_ALLOWED[current.value]:
        services.assignment_transition(assignment=assignment, to=target, actor=None)
        assignment.refresh_from_db()
        assert assignment.state == target
        assert (assignment.answered_at is not None) == (target == AssignmentState.ANSWERED)
        assert AuditLogEntry.objects.filter(action="assignment.state_changed").count() == 1
    else:
        with pytest.raises(TransitionNotAllowed):
            services.assignment_transition(assignment=assignment, to=target, actor=None)
        assignment.refresh_from_db()
        assert assignment.state == current


@pytest.mark.django_db
def test_reopening_starts_a_fresh_service_level():
    from datetime import timedelta

    from django.utils import timezone

    from impactportal.workdays import add_working_days

    question = QuestionFactory(
        state=QuestionState.CLOSED, resolution_due=timezone.localdate() - timedelta(days=30)
    )
    services.question_transition(question=question, to=QuestionState.REOPENED, actor=None)
    question.refresh_from_db()
    assert question.resolution_due == add_working_days(
        timezone.now(), question.topic.resolution_days
    )
