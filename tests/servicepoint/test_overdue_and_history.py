"""Two rules of the desk staff meet in their mailbox and in a question's history: a person
who has left gets no overdue digest, and closing a question records who closed it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from servicepoint import services, tasks
from servicepoint.constants import QuestionState
from tests.factories import AssignmentFactory, DirectorateFactory, QuestionFactory, UserFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PAST = date(2026, 11, 20)  # seen from Wednesday 25 November 2026


@pytest.mark.django_db
def test_people_who_have_left_get_no_overdue_digest(django_capture_on_commit_callbacks):
    left = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER], is_active=False)
    present = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])
    QuestionFactory(state=QuestionState.IN_PROGRESS, resolution_due=PAST, account_manager=left)
    QuestionFactory(state=QuestionState.IN_PROGRESS, resolution_due=PAST, account_manager=present)
    gone_assignee = UserFactory(
        staff=True,
        roles=[Role.DIRECTORATE_CONTACT],
        directorate=DirectorateFactory(),
        is_active=False,
    )
    routed = QuestionFactory(state=QuestionState.FORWARDED, resolution_due=PAST)
    AssignmentFactory(
        question=routed, directorate=gone_assignee.directorate, assignee=gone_assignee, due=PAST
    )

    moment = datetime(2026, 11, 25, 7, 0, tzinfo=AMSTERDAM)
    with (
        time_machine.travel(moment, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.send_overdue_digests() == 1
    digests = OutboxMessage.objects.filter(kind="servicepoint/overdue_digest")
    assert list(digests.values_list("recipient", flat=True)) == [present.email]


@pytest.mark.django_db
def test_the_history_shows_who_closed_a_question():
    manager = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER])
    question = QuestionFactory(state=QuestionState.ANSWERED, account_manager=manager)
    services.question_close(question=question, actor=manager)
    entry = AuditLogEntry.objects.get(action="question.state_changed")
    assert entry.actor == manager
    assert entry.changes == {"state": ["answered", "closed"]}
