"""Routing: which directorates work on a question (by the routing rules or by hand), a
change of topic that routes again, and the account manager responsible.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Directorate
from accounts.roles import Role
from impactportal.audit.services import audit_log
from impactportal.outbox.services import message_queue
from impactportal.workdays import add_working_days
from impactportal.workflow import TransitionNotAllowed

from ..constants import TRANSITIONS, AssignmentState, QuestionState
from ..models import Assignment, Question, RoutingRule, Topic
from ._common import (
    _account_managers,
    _directorate_recipients,
    _display_name,
    _notify_staff,
    _touch,
)
from .workflow import _assignment_transition, _transition


def routing_rule_for(question: Question) -> RoutingRule | None:
    """The first active rule for the question's topic whose keywords (if any) occur."""
    haystack = f"{question.subject}\n{question.text}".lower()
    rules = RoutingRule.objects.filter(topic=question.topic_id, is_active=True).select_related(
        "directorate", "assignee"
    )
    for rule in rules:
        keywords = rule.keyword_list
        if not keywords or any(keyword in haystack for keyword in keywords):
            return rule
    return None


def _apply_routing(question: Question, *, actor) -> bool:
    rule = routing_rule_for(question)
    if rule is None:
        return False
    _route(question, [rule.directorate], actor=actor, assignee=rule.assignee, rule=rule)
    return True


def _route(question, directorates, *, actor, assignee=None, rule=None) -> list[Assignment]:
    due = add_working_days(timezone.now(), question.topic.resolution_days)
    created = []
    for directorate in directorates:
        assignment, is_new = Assignment.objects.get_or_create(
            question=question,
            directorate=directorate,
            defaults={"assignee": assignee, "due": due, "rule": rule},
        )
        if not is_new:
            if assignment.state != AssignmentState.WITHDRAWN:
                continue  # already with this directorate
            assignment.state = AssignmentState.OPEN
            assignment.due, assignment.rule, assignment.answered_at = due, rule, None
            assignment.assignee = assignee or assignment.assignee
            assignment.save()
        created.append(assignment)
        audit_log(
            actor=actor,
            action="question.routed",
            obj=question,
            data={
                "directorate": directorate.name,
                "assignee": assignee.email if assignee else "",
                "rule": rule.pk if rule else None,
            },
        )
        recipients = _directorate_recipients(directorate, assignee)
        if recipients:
            _notify_staff(recipients, "assignment", question, assignment=assignment)
        elif directorate.email:
            # No contact person registered yet: the directorate's shared mailbox.
            message_queue(
                to=directorate.email,
                template="servicepoint/assignment",
                context={
                    "question": question,
                    "assignment": assignment,
                    "recipient_name": directorate.name,
                },
            )
    if created and question.state != QuestionState.FORWARDED:
        if QuestionState.FORWARDED in TRANSITIONS[QuestionState(question.state)]:
            _transition(question, QuestionState.FORWARDED, actor=actor)
    return created


@transaction.atomic
def question_route(
    *, question: Question, directorates: Iterable[Directorate], actor, assignee=None
) -> list[Assignment]:
    """Route to one or more directorates; each gets its own assignment and deadline."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    directorates = list(directorates)
    if not directorates:
        raise ValidationError(_("Choose at least one directorate."), code="no_directorate")
    if question.state == QuestionState.CLOSED:
        raise TransitionNotAllowed(_("A closed question cannot be routed; reopen it first."))
    created = _route(question, directorates, actor=actor, assignee=assignee)
    _touch(question)
    return created


@transaction.atomic
def question_change_topic(*, question: Question, topic: Topic, actor) -> Question:
    """Change the topic; deadlines follow the new topic and the routing rules run again.

    Assignments a rule made and nobody answered yet are withdrawn; what an account
    manager routed by hand stays.
    """
    question = Question.objects.select_for_update().get(pk=question.pk)
    if topic.pk == question.topic_id:
        return question
    old = question.topic
    question.topic = topic
    if question.submitted_at:
        question.first_response_due = add_working_days(
            question.submitted_at, topic.first_response_days
        )
        question.resolution_due = add_working_days(question.submitted_at, topic.resolution_days)
    question.save(update_fields=["topic", "first_response_due", "resolution_due"])
    audit_log(
        actor=actor,
        action="question.topic_changed",
        obj=question,
        changes={"topic": [old.slug, topic.slug]},
    )
    stale = question.assignments.filter(
        rule__isnull=False, state__in=[AssignmentState.OPEN, AssignmentState.IN_PROGRESS]
    )
    for assignment in stale:
        _assignment_transition(assignment, AssignmentState.WITHDRAWN, actor=actor)
    if question.is_confirmed and question.state != QuestionState.CLOSED:
        if (
            not _apply_routing(question, actor=actor)
            and not question.assignments.exclude(state=AssignmentState.WITHDRAWN).exists()
        ):
            if question.state == QuestionState.FORWARDED:
                _transition(question, QuestionState.IN_PROGRESS, actor=actor)
            _notify_staff(_account_managers(), "new_question", question)
    return question


@transaction.atomic
def question_assign(*, question: Question, account_manager, actor) -> Question:
    """Make an account manager responsible for the question."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not account_manager.has_role(Role.ACCOUNT_MANAGER):
        raise ValidationError(
            _("%(name)s is not an account manager.") % {"name": _display_name(account_manager)}
        )
    if question.account_manager_id == account_manager.pk:
        return question
    old = question.account_manager
    question.account_manager = account_manager
    question.save(update_fields=["account_manager"])
    audit_log(
        actor=actor,
        action="question.assigned",
        obj=question,
        changes={"account_manager": [old.email if old else None, account_manager.email]},
    )
    if account_manager != actor:
        _notify_staff([account_manager], "assigned", question)
    return question
