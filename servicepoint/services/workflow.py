"""State changes of questions and of a directorate's part (an assignment), each allowed
by its table in servicepoint.constants (TRANSITIONS, ASSIGNMENT_TRANSITIONS).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from impactportal.audit.services import audit_log
from impactportal.workdays import add_working_days
from impactportal.workflow import TransitionNotAllowed, check_transition

from ..constants import (
    ANNOUNCED_STATES,
    ASSIGNMENT_TRANSITIONS,
    TRANSITIONS,
    AssignmentState,
    QuestionState,
)
from ..models import Assignment, Question
from ._common import _notify_entrepreneur


def _transition(question: Question, to: QuestionState, *, actor, reason: str = "") -> None:
    current = QuestionState(question.state)
    check_transition(
        TRANSITIONS,
        current,
        to,
        message=_("A question that is %(current)s cannot become %(to)s."),
    )
    now = timezone.now()
    question.state = to
    fields = ["state"]
    if to == QuestionState.ANSWERED and question.answered_at is None:
        question.answered_at = now
        fields.append("answered_at")
    if to == QuestionState.CLOSED:
        question.closed_at = now
        fields.append("closed_at")
        # The directorates' parts still open end with it, each change in the history.
        live = question.assignments.select_related("directorate").filter(
            state__in=[AssignmentState.OPEN, AssignmentState.IN_PROGRESS]
        )
        for assignment in live:
            _assignment_transition(assignment, AssignmentState.WITHDRAWN, actor=actor)
    if to == QuestionState.REOPENED:
        # A reopened question gets a fresh service level from today, or it would show
        # as overdue (often 3x) the moment it comes back.
        question.closed_at = None
        question.answered_at = None
        question.resolution_due = add_working_days(now, question.topic.resolution_days)
        fields += ["closed_at", "answered_at", "resolution_due"]
    question.last_activity_at = now
    fields.append("last_activity_at")
    question.save(update_fields=fields)
    audit_log(
        actor=actor,
        action="question.state_changed",
        obj=question,
        changes={"state": [current.value, to.value]},
        data={"reason": reason} if reason else None,
    )
    if to in ANNOUNCED_STATES:
        _notify_entrepreneur(question, "state_changed", reason=reason)


@transaction.atomic
def question_transition(*, question: Question, to: str, actor, reason: str = "") -> Question:
    """Move a question to another state, if the workflow table allows it."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not question.is_confirmed:
        raise TransitionNotAllowed(_("The question has not been confirmed by the asker yet."))
    _transition(question, QuestionState(to), actor=actor, reason=reason)
    return question


def question_close(*, question: Question, actor) -> Question:
    return question_transition(question=question, to=QuestionState.CLOSED, actor=actor)


def _assignment_transition(assignment: Assignment, to: AssignmentState, *, actor) -> None:
    current = AssignmentState(assignment.state)
    check_transition(
        ASSIGNMENT_TRANSITIONS,
        current,
        to,
        message=_("An assignment that is %(current)s cannot become %(to)s."),
    )
    assignment.state = to
    assignment.answered_at = timezone.now() if to == AssignmentState.ANSWERED else None
    assignment.save(update_fields=["state", "answered_at"])
    audit_log(
        actor=actor,
        action="assignment.state_changed",
        obj=assignment.question,
        changes={f"assignment {assignment.directorate}": [current.value, to.value]},
    )


@transaction.atomic
def assignment_transition(*, assignment: Assignment, to: str, actor) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update().select_related("question").get(pk=assignment.pk)
    )
    _assignment_transition(assignment, AssignmentState(to), actor=actor)
    return assignment
