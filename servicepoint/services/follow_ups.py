"""The follow-up after closing: 'Bent u goed geholpen?' and what the answer does."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from impactportal.audit.services import audit_log
from impactportal.workdays import add_working_days

from ..constants import QuestionState
from ..models import FollowUp, Question
from ._common import _account_managers, _notify_entrepreneur, _notify_staff
from .workflow import _transition


def questions_due_for_follow_up(today=None):
    """Closed questions whose follow-up e-mail is due and not yet sent."""
    today = today or timezone.localdate()
    # Working days are not SQL arithmetic; the candidates are the few closed recently.
    candidates = Question.objects.filter(
        state=QuestionState.CLOSED,
        closed_at__gte=timezone.now() - timedelta(days=60),
        follow_ups__isnull=True,
    ).only("pk", "closed_at")
    days = settings.SERVICEPOINT_FOLLOW_UP_WORKING_DAYS
    return [q.pk for q in candidates if add_working_days(q.closed_at, days) <= today]


@transaction.atomic
def follow_up_send(*, question_id: int) -> FollowUp | None:
    """Send 'Bent u goed geholpen?' once for a closed question."""
    question = Question.objects.select_for_update().get(pk=question_id)
    if question.state != QuestionState.CLOSED or question.follow_ups.exists():
        return None
    follow_up = FollowUp.objects.create(question=question)
    audit_log(actor=None, action="question.follow_up_sent", obj=question)
    _notify_entrepreneur(question, "follow_up", follow_up=follow_up)
    return follow_up


@transaction.atomic
def follow_up_answer(*, token: str, helped: bool, comment: str = "") -> FollowUp | None:
    """Record the answer; 'no' reopens the question and tells the account manager."""
    follow_up = FollowUp.objects.select_for_update().filter(token=token).first() if token else None
    if follow_up is None or follow_up.answered_at is not None:
        return follow_up
    follow_up.helped = helped
    follow_up.comment = comment.strip()
    follow_up.answered_at = timezone.now()
    follow_up.save(update_fields=["helped", "comment", "answered_at"])
    question = Question.objects.select_for_update().get(pk=follow_up.question_id)
    audit_log(
        actor=None,
        action="question.follow_up_answered",
        obj=question,
        data={"helped": helped, "comment": follow_up.comment},
    )
    if not helped:
        if question.state == QuestionState.CLOSED:
            _transition(
                question,
                QuestionState.REOPENED,
                actor=None,
                reason=_("Not helped well, according to the follow-up."),
            )
        recipients = [question.account_manager] if question.account_manager else _account_managers()
        _notify_staff(recipients, "not_helped", question, follow_up=follow_up)
    return follow_up
