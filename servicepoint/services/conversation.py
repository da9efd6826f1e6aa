"""The conversation on a question: public replies, internal notes and the
entrepreneur's answers, with their attachments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from impactportal.audit.services import audit_log
from impactportal.workflow import TransitionNotAllowed

from ..constants import AssignmentState, MessageKind, QuestionState
from ..models import Assignment, KnowledgeArticle, Message, Question
from ._common import (
    _account_managers,
    _directorate_recipients,
    _display_name,
    _notify_entrepreneur,
    _notify_staff,
    _save_attachments,
    _touch,
)
from .workflow import _assignment_transition, _transition


@transaction.atomic
def question_reply(
    *,
    question: Question,
    author,
    body: str,
    assignment: Assignment | None = None,
    files: Sequence = (),
    articles: Iterable[KnowledgeArticle] = (),
) -> Message:
    """A public reply: e-mailed to the entrepreneur and shown in Mijn vragen, with links
    to the knowledge-base articles chosen for further reading."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not body.strip():
        raise ValidationError(_("Write a message."), code="empty")
    if not question.is_confirmed:
        raise TransitionNotAllowed(_("The question has not been confirmed by the asker yet."))
    message = Message.objects.create(
        question=question,
        kind=MessageKind.PUBLIC_REPLY,
        author=author,
        author_name=_display_name(author),
        body=body,
        assignment=assignment,
    )
    message.articles.set([a for a in articles if a.is_published])
    _save_attachments(question, files, message)
    if question.first_response_at is None:
        question.first_response_at = message.created_at
        question.save(update_fields=["first_response_at"])
    if assignment is not None and assignment.state in (
        AssignmentState.OPEN,
        AssignmentState.IN_PROGRESS,
    ):
        _assignment_transition(assignment, AssignmentState.ANSWERED, actor=author)
    audit_log(
        actor=author,
        action="question.replied",
        obj=question,
        data={
            "message": message.pk,
            "directorate": str(assignment.directorate) if assignment else "",
        },
    )
    _touch(question)
    _notify_entrepreneur(question, "reply", message=message)
    return message


@transaction.atomic
def question_add_note(*, question: Question, author, body: str, files: Sequence = ()) -> Message:
    """An internal note: staff only, never shown or sent to the entrepreneur."""
    if not body.strip():
        raise ValidationError(_("Write a message."), code="empty")
    message = Message.objects.create(
        question=question,
        kind=MessageKind.INTERNAL_NOTE,
        author=author,
        author_name=_display_name(author),
        body=body,
    )
    _save_attachments(question, files, message)
    audit_log(
        actor=author, action="question.note_added", obj=question, data={"message": message.pk}
    )
    return message


@transaction.atomic
def question_entrepreneur_reply(
    *, question: Question, author, body: str, files: Sequence = ()
) -> Message:
    """The entrepreneur answers on the web (logged in, or a guest through their link)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not body.strip():
        raise ValidationError(_("Write a message."), code="empty")
    if not question.is_confirmed:
        raise TransitionNotAllowed(_("Confirm your question first with the link in your e-mail."))
    message = Message.objects.create(
        question=question,
        kind=MessageKind.ENTREPRENEUR,
        author=author,
        author_name=_display_name(author) or question.name,
        body=body,
    )
    _save_attachments(question, files, message)
    audit_log(
        actor=author,
        action="question.entrepreneur_replied",
        obj=question,
        data={"message": message.pk},
    )
    state = QuestionState(question.state)
    if state in (QuestionState.WAITING, QuestionState.ANSWERED):
        _transition(question, QuestionState.IN_PROGRESS, actor=author)
    elif state == QuestionState.CLOSED:
        _transition(
            question,
            QuestionState.REOPENED,
            actor=author,
            reason=_("The entrepreneur replied after closing."),
        )
    _touch(question)
    recipients = [question.account_manager] if question.account_manager else _account_managers()
    for assignment in question.assignments.filter(
        state__in=[AssignmentState.OPEN, AssignmentState.IN_PROGRESS]
    ).select_related("directorate", "assignee"):
        recipients += _directorate_recipients(assignment.directorate, assignment.assignee)
    _notify_staff(recipients, "entrepreneur_replied", question, message=message)
    return message
