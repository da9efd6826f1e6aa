"""What the history says about a change of state: who did it and why, and what staff
are told when a question cannot move yet."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.workflow import TransitionNotAllowed
from servicepoint.constants import AssignmentState, QuestionState
from servicepoint.services import assignment_transition, question_transition
from tests.factories import AssignmentFactory, DirectorateFactory, QuestionFactory, UserFactory


def _entries(action):
    return list(AuditLogEntry.objects.filter(action=action).order_by("pk"))


@pytest.mark.django_db
def test_the_reason_given_is_in_the_history_and_none_is_written_without_one():
    manager = UserFactory(roles=[Role.ACCOUNT_MANAGER])
    question = QuestionFactory()
    question_transition(
        question=question, to=QuestionState.WAITING, actor=manager, reason="Wacht op offerte"
    )
    question_transition(question=question, to=QuestionState.IN_PROGRESS, actor=manager)
    waiting, in_progress = _entries("question.state_changed")
    assert waiting.actor == manager
    assert waiting.data == {"reason": "Wacht op offerte"}
    assert waiting.changes == {"state": ["new", "waiting"]}
    assert in_progress.data in ({}, None)
    assert in_progress.changes == {"state": ["waiting", "in_progress"]}


@pytest.mark.django_db
def test_staff_are_told_why_an_unconfirmed_question_cannot_move():
    question = QuestionFactory(guest=True)
    with translation.override("nl"), pytest.raises(TransitionNotAllowed) as refused:
        question_transition(question=question, to=QuestionState.IN_PROGRESS, actor=UserFactory())
    assert refused.value.messages == ["De vraagsteller heeft de vraag nog niet bevestigd."]
    question.refresh_from_db()
    assert question.state == QuestionState.NEW
    assert not _entries("question.state_changed")


@pytest.mark.django_db
def test_the_history_names_the_contact_who_took_up_their_directorates_part():
    directorate = DirectorateFactory(name="Economie")
    contact = UserFactory(roles=[Role.DIRECTORATE_CONTACT], directorate=directorate)
    assignment = AssignmentFactory(directorate=directorate)
    assignment_transition(assignment=assignment, to=AssignmentState.IN_PROGRESS, actor=contact)
    (entry,) = _entries("assignment.state_changed")
    assert entry.actor == contact
    assert entry.changes == {"assignment Economie": ["open", "in_progress"]}
